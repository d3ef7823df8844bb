//! The demo's catalogue: two purposes, eight service types with their disclosure policies,
//! and DPAs with the three suppliers (one expired), each covering the services it delivers.

use std::collections::BTreeMap;

use uuid::Uuid;

use skjold_core::{Actor, Date, FieldKey};

use crate::catalogue::{DpaInput, PurposeInput, ServiceTypeInput};
use crate::{App, AppError};

/// A demo service type: code, name, description, purpose and policy.
type ServiceSpec = (
    &'static str,
    &'static str,
    &'static str,
    Uuid,
    BTreeMap<String, String>,
);

fn rules(pairs: &[(FieldKey, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(f, r)| (f.key().to_owned(), (*r).to_owned()))
        .collect()
}

impl App {
    /// Creates the demo's DPAs, purposes and service types; returns the service types by
    /// code.
    pub(super) async fn demo_catalogue(
        &self,
        admin: &Actor,
        orgs: &BTreeMap<String, Uuid>,
    ) -> Result<BTreeMap<String, Uuid>, AppError> {
        let employment = self
            .create_purpose(admin, &PurposeInput {
                name: "Beskæftigelsesindsats".into(),
                description: "Tilbud efter lov om en aktiv beskæftigelsesindsats, leveret af anden aktør.".into(),
                art6: "6.1.e".into(),
                art9: Some("9.2.b".into()),
                national_law: "Lov om en aktiv beskæftigelsesindsats § 5; databeskyttelseslovens § 8, stk. 3".into(),
                retention: "5 år efter sagens afslutning (arkivlovens regler for kommunale sager)".into(),
                automated_decision: String::new(),
            })
            .await?;
        let internship = self
            .create_purpose(
                admin,
                &PurposeInput {
                    name: "Virksomhedsrettet tilbud".into(),
                    description: "Virksomhedspraktik og løntilskud hos private arbejdsgivere."
                        .into(),
                    art6: "6.1.e".into(),
                    art9: None,
                    national_law: "Lov om en aktiv beskæftigelsesindsats kap. 11-12".into(),
                    retention: "5 år efter tilbuddets afslutning".into(),
                    automated_decision: String::new(),
                },
            )
            .await?;

        use FieldKey::*;
        let a = "automatic";
        let j = "on_justified_request";
        let n = "never";
        let types: Vec<ServiceSpec> = vec![
            (
                "MENTOR",
                "Mentorstøtte",
                "Personlig mentor til at fastholde job eller uddannelse.",
                employment.id,
                rules(&[
                    (Name, a),
                    (JobGoal, a),
                    (TargetGroup, a),
                    (LanguageSkills, a),
                    (Health, j),
                    (Substance, j),
                    (FamilySituation, j),
                    (Cpr, j),
                    (CriminalRecord, n),
                ]),
            ),
            (
                "PRAKTIK",
                "Virksomhedspraktik",
                "Praktik i en privat virksomhed.",
                internship.id,
                rules(&[
                    (Name, a),
                    (JobGoal, a),
                    (WorkExperience, a),
                    (Education, a),
                    (Cpr, j),
                ]),
            ),
            (
                "OPKVAL",
                "Opkvalificering",
                "Kortere jobrettet kursus.",
                employment.id,
                rules(&[
                    (Name, a),
                    (Education, a),
                    (LanguageSkills, a),
                    (JobGoal, a),
                    (Cpr, j),
                    (Health, j),
                ]),
            ),
            (
                "AFKLAR",
                "Afklaringsforløb",
                "Afklaring af arbejdsevne og skånebehov.",
                employment.id,
                rules(&[
                    (Name, a),
                    (TargetGroup, a),
                    (Benefit, a),
                    (WorkExperience, a),
                    (Health, j),
                    (Substance, j),
                    (CriminalRecord, j),
                    (FamilySituation, j),
                    (Cpr, j),
                ]),
            ),
            (
                "JOBSOG",
                "Jobsøgningskursus",
                "Holdforløb i jobsøgning og CV.",
                employment.id,
                rules(&[(Name, a), (JobGoal, a), (Education, a), (WorkExperience, a)]),
            ),
            (
                "DANSK",
                "Danskundervisning",
                "Jobrettet danskundervisning.",
                employment.id,
                rules(&[(Name, a), (LanguageSkills, a), (Education, a), (Cpr, j)]),
            ),
            (
                "LONTILSKUD",
                "Løntilskudsmatch",
                "Matchning med løntilskudsstilling.",
                internship.id,
                rules(&[
                    (Name, a),
                    (JobGoal, a),
                    (WorkExperience, a),
                    (Education, a),
                    (TargetGroup, a),
                    (Cpr, j),
                ]),
            ),
            (
                "FLEKS",
                "Fleksjobafklaring",
                "Afklaring mod fleksjob, herunder skånehensyn.",
                employment.id,
                rules(&[
                    (Name, a),
                    (TargetGroup, a),
                    (JobGoal, a),
                    (Health, j),
                    (WorkExperience, a),
                    (Cpr, j),
                    (CriminalRecord, n),
                ]),
            ),
        ];
        let mut service_types = BTreeMap::new();
        for (code, name, description, purpose_id, policy) in types {
            let st = self
                .create_service_type(
                    admin,
                    &ServiceTypeInput {
                        code: code.into(),
                        name: name.into(),
                        description: description.into(),
                        purpose_id,
                        policy,
                    },
                )
                .await?;
            service_types.insert(code.to_owned(), st.id);
        }

        let today = self.now().local_date();
        // Each agreement covers the services its supplier delivers.
        let dpa = |name: &str,
                   reference: &str,
                   starts: Date,
                   ends: Option<Date>,
                   codes: &[&str]| {
            DpaInput {
            processor_id: orgs[name],
            reference: reference.into(),
            instructions: "Behandling alene med henblik på levering af bestilte beskæftigelsesindsatser; sletning senest 30 dage efter aftalens ophør.".into(),
            starts_on: starts.to_string(),
            ends_on: ends.map(|d| d.to_string()),
            service_type_ids: codes.iter().map(|c| service_types[*c]).collect(),
        }
        };
        self.create_dpa(
            admin,
            &dpa(
                "Mentorhuset ApS",
                "DBA-2024-017",
                today.plus_months(-30),
                None,
                &["MENTOR", "AFKLAR", "DANSK", "FLEKS"],
            ),
        )
        .await?;
        self.create_dpa(
            admin,
            &dpa(
                "Praktikpartner A/S",
                "DBA-2025-004",
                today.plus_months(-14),
                Some(today.plus_months(22)),
                &["PRAKTIK", "JOBSOG", "LONTILSKUD", "AFKLAR"],
            ),
        )
        .await?;
        self.create_dpa(
            admin,
            &dpa(
                "Kompetencecentret Øst ApS",
                "DBA-2023-031",
                today.plus_months(-40),
                Some(today.plus_days(-45)),
                &["OPKVAL", "DANSK"],
            ),
        )
        .await?;
        Ok(service_types)
    }
}
