//! The demo: a Copenhagen-like municipality with two job-centre units, three suppliers (one
//! of them with an expired DPA), eight service types, 200 synthetic citizens and a user for
//! every role. Every name, number and address is generated from a fixed seed; CPR numbers
//! are valid (real dates, modulus 11) but belong to no one on purpose: the generated
//! combinations of names and numbers are fictitious.

use std::collections::{BTreeMap, HashSet};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use skjold_core::{Cpr, Date, FieldKey, Role};
use skjold_store::OrgKind;
use skjold_store::gate::{NewDatum, NewOrder};

use crate::ops::{DpaInput, PurposeInput, ServiceTypeInput};
use crate::{App, AppError};

/// The one password of every demo user. Only `skjold demo` uses it.
pub const DEMO_PASSWORD: &str = "skjold-demo-2026";

/// The demo's municipality; a data directory holding it is a demo's.
pub const DEMO_MUNICIPALITY: &str = "Københavns Kommune (demo)";

/// The demo users: user name, name, role, and the organisation they belong to.
pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    (
        "admin",
        "Birgitte Holm-Larsen",
        Role::Administrator,
        DEMO_MUNICIPALITY,
    ),
    (
        "sagsbehandler",
        "Rasmus Kjærgaard",
        Role::Caseworker,
        "Jobcenter København Nord",
    ),
    (
        "sagsbehandler2",
        "Yasmin El-Amin",
        Role::Caseworker,
        "Jobcenter København Syd",
    ),
    (
        "mentorhuset",
        "Torben Vestergaard",
        Role::SupplierUser,
        "Mentorhuset ApS",
    ),
    (
        "praktikpartner",
        "Louise Brandt",
        Role::SupplierUser,
        "Praktikpartner A/S",
    ),
    (
        "kompetencecentret",
        "Henrik Dalsgaard",
        Role::SupplierUser,
        "Kompetencecentret Øst ApS",
    ),
    (
        "dpo",
        "Signe Winther",
        Role::PrivacyOfficer,
        DEMO_MUNICIPALITY,
    ),
    ("revisor", "Peter Aagaard", Role::Auditor, DEMO_MUNICIPALITY),
];

const SUPPLIERS: &[(&str, &str)] = &[
    ("Mentorhuset ApS", "mentor"),
    ("Praktikpartner A/S", "praktik"),
    ("Kompetencecentret Øst ApS", "udløbet"),
];

/// What the demo created, for the CLI banner and for tests.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub municipality_id: Uuid,
    pub organisations: BTreeMap<String, Uuid>,
    pub service_types: BTreeMap<String, Uuid>,
    pub citizens: Vec<DemoCitizen>,
    /// Every demo user's second-factor secret in base32, by user name, for an
    /// authenticator app.
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct DemoCitizen {
    pub id: Uuid,
    pub cpr: Cpr,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

const FIRST: &[&str] = &[
    "Mette",
    "Lars",
    "Sofie",
    "Jens",
    "Camilla",
    "Mikkel",
    "Ida",
    "Frederik",
    "Emma",
    "Kasper",
    "Laura",
    "Mads",
    "Nanna",
    "Christian",
    "Julie",
    "Anders",
    "Cecilie",
    "Jonas",
    "Line",
    "Søren",
    "Maja",
    "Thomas",
    "Freja",
    "Nikolaj",
    "Amalie",
    "Ahmed",
    "Fatima",
    "Omar",
    "Aisha",
    "Piotr",
    "Agnieszka",
    "Ali",
    "Leyla",
    "Bjørn",
    "Åse",
    "Jørgen",
    "Kirsten",
    "Ole",
    "Hanne",
    "Morten",
    "Anne-Sofie",
    "Karl Emil",
    "Marie Louise",
];
const LAST: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Mikkelsen",
    "Frederiksen",
    "Khalil",
    "Yilmaz",
    "Kowalski",
    "Nguyen",
    "Hussein",
    "Østergaard",
    "Bach-Nielsen",
    "Lund Schmidt",
    "Damgaard",
    "Højgaard",
];
const STREETS: &[&str] = &[
    "Nørrebrogade",
    "Amagerbrogade",
    "Jagtvej",
    "Istedgade",
    "Tagensvej",
    "Frederikssundsvej",
    "Valby Langgade",
    "Østerbrogade",
    "Vesterbrogade",
    "Englandsvej",
    "Lyngbyvej",
    "Gammel Køge Landevej",
    "Ørestads Boulevard",
];
const TOWNS: &[(&str, &str)] = &[
    ("2200", "København N"),
    ("2300", "København S"),
    ("2400", "København NV"),
    ("2100", "København Ø"),
    ("1620", "København V"),
    ("2500", "Valby"),
    ("2450", "København SV"),
];

fn pick<'a, R: Rng>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("")
}

/// A valid CPR number (real date, modulus 11) born between 1960 and 2005.
fn demo_cpr<R: Rng>(rng: &mut R, taken: &mut HashSet<String>) -> Cpr {
    loop {
        let year = rng.gen_range(1960..=2005);
        let month = rng.gen_range(1..=12u8);
        let day = rng.gen_range(1..=28u8);
        let seventh = if year >= 2000 {
            4
        } else {
            rng.gen_range(0..=3)
        };
        let rest: u32 = rng.gen_range(0..1000);
        let s = format!("{day:02}{month:02}{:02}{seventh}{rest:03}", year % 100);
        if let Ok(cpr) = Cpr::parse(&s)
            && cpr.passes_modulus11()
            && taken.insert(cpr.digits())
        {
            return cpr;
        }
    }
}

fn citizen_data<R: Rng>(
    rng: &mut R,
    name: &str,
    n: usize,
) -> (Vec<NewDatum>, String, String, String) {
    let (postcode, town) = TOWNS[rng.gen_range(0..TOWNS.len())];
    let address = format!(
        "{} {}, {}. {}, {postcode} {town}",
        pick(rng, STREETS),
        rng.gen_range(1..=180),
        rng.gen_range(1..=5),
        if rng.gen_bool(0.5) { "tv." } else { "th." }
    );
    let phone = format!(
        "+45 {} {:02} {:02} {:02}",
        rng.gen_range(20..=99),
        rng.gen_range(0..100),
        rng.gen_range(0..100),
        rng.gen_range(0..100)
    );
    let local: String = name
        .to_lowercase()
        .replace(['æ'], "ae")
        .replace(['ø'], "oe")
        .replace(['å'], "aa")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let email = format!("{local}{n}@borger-eksempel.dk");
    let jobs = [
        "Lagerarbejder",
        "Pædagogmedhjælper",
        "Kontorassistent",
        "Buschauffør",
        "Social- og sundhedshjælper",
        "Kok",
        "IT-supporter",
        "Butiksassistent",
    ];
    let job = pick(rng, &jobs);
    let prior = pick(rng, &jobs);
    let data = [
        (FieldKey::Name, name.to_owned(), "CPR-registret"),
        (FieldKey::Address, address.clone(), "CPR-registret"),
        (FieldKey::Phone, phone.clone(), "Oplyst af borgeren"),
        (FieldKey::Email, email.clone(), "Oplyst af borgeren"),
        (
            FieldKey::TargetGroup,
            pick(
                rng,
                &[
                    "Jobparat kontanthjælpsmodtager",
                    "Aktivitetsparat kontanthjælpsmodtager",
                    "Dagpengemodtager",
                    "Sygedagpengemodtager",
                    "Ressourceforløbsborger",
                    "Uddannelseshjælpsmodtager",
                ],
            )
            .to_owned(),
            "Jobcentrets sagssystem",
        ),
        (
            FieldKey::Benefit,
            pick(
                rng,
                &[
                    "Kontanthjælp",
                    "Dagpenge",
                    "Sygedagpenge",
                    "Ressourceforløbsydelse",
                    "Uddannelseshjælp",
                ],
            )
            .to_owned(),
            "Ydelsessystemet",
        ),
        (FieldKey::JobGoal, job.to_owned(), "Samtale med jobcentret"),
        (
            FieldKey::WorkExperience,
            format!("{} år som {}", rng.gen_range(1..=15), prior.to_lowercase()),
            "CV oplyst af borgeren",
        ),
        (
            FieldKey::Education,
            pick(
                rng,
                &[
                    "Grundskole (9. klasse)",
                    "Gymnasial uddannelse",
                    "Erhvervsuddannelse",
                    "Kort videregående uddannelse",
                    "Bacheloruddannelse",
                ],
            )
            .to_owned(),
            "Uddannelsesregistret",
        ),
        (
            FieldKey::LanguageSkills,
            pick(
                rng,
                &[
                    "Dansk (modersmål)",
                    "Dansk og engelsk",
                    "Arabisk; dansk prøve 2",
                    "Polsk; dansk prøve 1",
                    "Tyrkisk og dansk",
                    "Somali; dansk prøve 3",
                ],
            )
            .to_owned(),
            "Samtale med jobcentret",
        ),
        (
            FieldKey::FamilySituation,
            pick(
                rng,
                &[
                    "Enlig",
                    "Gift, to børn",
                    "Samlevende, ét barn",
                    "Enlig forsørger, tre børn",
                    "Bor hos forældre",
                ],
            )
            .to_owned(),
            "Oplyst af borgeren",
        ),
        (
            FieldKey::Health,
            pick(
                rng,
                &[
                    "Rygproblemer; kan ikke løfte over 10 kg",
                    "Angst; har brug for rolige omgivelser",
                    "Type 2-diabetes; behov for faste pauser",
                    "Nedsat hørelse",
                    "Depression i behandling",
                    "Knæskade; kan ikke stå længe",
                ],
            )
            .to_owned(),
            "Lægeattest",
        ),
        (
            FieldKey::CriminalRecord,
            pick(
                rng,
                &[
                    "Ren straffeattest",
                    "Ren straffeattest",
                    "Ren straffeattest",
                    "Betinget dom for tyveri (2021)",
                    "Bødestraf for færdselslovsovertrædelse (2022)",
                ],
            )
            .to_owned(),
            "Straffeattest indhentet med samtykke",
        ),
    ];
    let mut out: Vec<NewDatum> = data
        .into_iter()
        .map(|(field, value, source)| NewDatum {
            field,
            value,
            source: source.into(),
        })
        .collect();
    if n.is_multiple_of(7) {
        out.push(NewDatum {
            field: FieldKey::Substance,
            value: pick(
                rng,
                &[
                    "Alkoholmisbrug; i behandling",
                    "Hashmisbrug; i behandling hos Rusmiddelcentret",
                ],
            )
            .to_owned(),
            source: "Rusmiddelcentret".into(),
        });
    }
    (out, address, phone, email)
}

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
    /// Sets up a new data directory's municipality and its first administrator.
    pub async fn init(
        &self,
        municipality: &str,
        admin_username: &str,
        admin_name: &str,
        password: &str,
    ) -> Result<Uuid, AppError> {
        if !self.store.organisations().await?.is_empty() {
            return Err(AppError::Conflict {
                code: "already_initialised",
                message: "databasen er allerede sat op".into(),
            });
        }
        crate::auth::validate_new_password(password)?;
        let m = self
            .create_organisation(None, OrgKind::Municipality, None, municipality, None)
            .await?;
        self.add_user(
            None,
            m.id,
            admin_username,
            admin_name,
            Role::Administrator,
            password,
        )
        .await?;
        Ok(m.id)
    }

    /// Whether the database holds the demo (its municipality), so that `skjold demo` never
    /// shows codes for another installation's users.
    pub async fn holds_demo(&self) -> Result<bool, AppError> {
        Ok(self
            .store
            .organisations()
            .await?
            .iter()
            .any(|o| o.kind == OrgKind::Municipality && o.name == DEMO_MUNICIPALITY))
    }

    /// Builds the demo into an empty database. Every demo user gets a second factor set up
    /// already, with the secret returned in the summary.
    pub async fn build_demo(&self, citizens: usize) -> Result<DemoSummary, AppError> {
        let municipality_id = self
            .init(DEMO_MUNICIPALITY, "admin", DEMO_USERS[0].1, DEMO_PASSWORD)
            .await?;
        let admin = self
            .store
            .actor_by_username("admin")
            .await?
            .ok_or_else(|| AppError::Internal("demo administrator missing".into()))?;
        let mut orgs = BTreeMap::new();
        orgs.insert(DEMO_MUNICIPALITY.to_owned(), municipality_id);
        for unit in ["Jobcenter København Nord", "Jobcenter København Syd"] {
            let o = self
                .create_organisation(Some(&admin), OrgKind::Unit, None, unit, None)
                .await?;
            orgs.insert(unit.to_owned(), o.id);
        }
        let cvrs = ["37104914", "29403473", "32365590"];
        for ((name, _), cvr) in SUPPLIERS.iter().zip(cvrs) {
            let o = self
                .create_organisation(Some(&admin), OrgKind::Supplier, None, name, Some(cvr))
                .await?;
            orgs.insert((*name).to_owned(), o.id);
        }
        let mut user_ids = vec![(DEMO_USERS[0].0, admin.user_id)];
        for (username, display, role, org) in &DEMO_USERS[1..] {
            let user = self
                .add_user(
                    Some(&admin),
                    orgs[*org],
                    username,
                    display,
                    *role,
                    DEMO_PASSWORD,
                )
                .await?;
            user_ids.push((username, user.id));
        }
        let mut secrets = BTreeMap::new();
        for (username, user_id) in user_ids {
            let secret = crate::auth::new_totp_secret();
            let sealed = self
                .store
                .keys()
                .seal_user_secret(user_id, &secret)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            // Step 0: no code has been used yet.
            self.store.enrol_second_factor(user_id, &sealed, 0).await?;
            secrets.insert(
                username.to_owned(),
                crate::auth::totp_secret_base32(&secret, username)?,
            );
        }

        let today = self.now().local_date();
        let dpa = |name: &str, reference: &str, starts: Date, ends: Option<Date>| {
            DpaInput {
            processor_id: orgs[name],
            reference: reference.into(),
            instructions: "Behandling alene med henblik på levering af bestilte beskæftigelsesindsatser; sletning senest 30 dage efter aftalens ophør.".into(),
            starts_on: starts.to_string(),
            ends_on: ends.map(|d| d.to_string()),
        }
        };
        self.create_dpa(
            &admin,
            &dpa(
                "Mentorhuset ApS",
                "DBA-2024-017",
                today.plus_months(-30),
                None,
            ),
        )
        .await?;
        self.create_dpa(
            &admin,
            &dpa(
                "Praktikpartner A/S",
                "DBA-2025-004",
                today.plus_months(-14),
                Some(today.plus_months(22)),
            ),
        )
        .await?;
        self.create_dpa(
            &admin,
            &dpa(
                "Kompetencecentret Øst ApS",
                "DBA-2023-031",
                today.plus_months(-40),
                Some(today.plus_days(-45)),
            ),
        )
        .await?;

        let employment = self
            .create_purpose(&admin, &PurposeInput {
                name: "Beskæftigelsesindsats".into(),
                description: "Tilbud efter lov om en aktiv beskæftigelsesindsats, leveret af anden aktør.".into(),
                art6: "6.1.e".into(),
                art9: Some("9.2.b".into()),
                national_law: "Lov om en aktiv beskæftigelsesindsats § 5; databeskyttelseslovens § 8, stk. 3".into(),
            })
            .await?;
        let internship = self
            .create_purpose(
                &admin,
                &PurposeInput {
                    name: "Virksomhedsrettet tilbud".into(),
                    description: "Virksomhedspraktik og løntilskud hos private arbejdsgivere."
                        .into(),
                    art6: "6.1.e".into(),
                    art9: None,
                    national_law: "Lov om en aktiv beskæftigelsesindsats kap. 11-12".into(),
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
                    &admin,
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

        let mut rng = StdRng::seed_from_u64(20_261_123);
        let mut taken = HashSet::new();
        let mut names = HashSet::new();
        let staff: HashSet<&str> = DEMO_USERS.iter().map(|u| u.1).collect();
        let mut list = Vec::with_capacity(citizens);
        for i in 0..citizens {
            let name = loop {
                let candidate = format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST));
                if !staff.contains(candidate.as_str()) && names.insert(candidate.clone()) {
                    break candidate;
                }
                // 43 × 32 names leave room for 200 distinct citizens; past that, number them.
                if names.len() > FIRST.len() * LAST.len() / 2 {
                    let numbered = format!("{candidate} {i}");
                    names.insert(numbered.clone());
                    break numbered;
                }
            };
            let cpr = demo_cpr(&mut rng, &mut taken);
            let (data, address, phone, email) = citizen_data(&mut rng, &name, i);
            let id = self
                .store
                .register_subject(None, municipality_id, &cpr, &data, self.now())
                .await?;
            list.push(DemoCitizen {
                id,
                cpr,
                name,
                phone,
                email,
                address,
            });
        }

        // A few orders, so every role has something to look at from the start.
        let caseworker = self
            .store
            .actor_by_username("sagsbehandler")
            .await?
            .ok_or_else(|| AppError::Internal("demo caseworker missing".into()))?;
        let plan = [
            ("MENTOR", "Mentorhuset ApS"),
            ("PRAKTIK", "Praktikpartner A/S"),
            ("AFKLAR", "Mentorhuset ApS"),
            ("JOBSOG", "Praktikpartner A/S"),
        ];
        for (i, (code, supplier)) in plan.iter().enumerate() {
            if let Some(c) = list.get(i) {
                // As at the desk: find the citizen by CPR number, then order.
                self.find_citizen(&caseworker, &c.cpr.formatted()).await?;
                let order = self
                    .place_order(
                        &caseworker,
                        NewOrder {
                            subject_id: c.id,
                            service_type_id: service_types[*code],
                            supplier_id: orgs[*supplier],
                        },
                    )
                    .await?;
                if *code == "MENTOR" {
                    self.disclose(&caseworker, order, "health", "Mentoren skal kende borgerens skånehensyn for at kunne tilrettelægge forløbet.").await?;
                }
            }
        }
        Ok(DemoSummary {
            municipality_id,
            organisations: orgs,
            service_types,
            citizens: list,
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cpr_numbers_are_valid_and_unique() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut taken = HashSet::new();
        for _ in 0..500 {
            let c = demo_cpr(&mut rng, &mut taken);
            assert!(c.passes_modulus11());
            let born = c.birth_date().expect("date");
            assert!((1960..=2005).contains(&born.year()));
        }
        assert_eq!(taken.len(), 500);
    }

    #[test]
    fn demo_cvr_numbers_are_valid() {
        for c in ["37104914", "29403473", "32365590"] {
            assert!(skjold_core::Cvr::parse(c).is_ok(), "{c}");
        }
    }
}
