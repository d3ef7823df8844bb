//! The demo's synthetic citizens: names, addresses and valid CPR numbers from a fixed
//! seed, registered through the gate like any citizen.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use skjold_core::citizens::NewDatum;
use skjold_core::{Cpr, FieldKey};

use super::{DEMO_USERS, DemoCitizen};
use crate::synthetic::{FIRST, LAST, STREETS, pick};
use crate::{App, AppError};

const TOWNS: &[(&str, &str)] = &[
    ("2200", "København N"),
    ("2300", "København S"),
    ("2400", "København NV"),
    ("2100", "København Ø"),
    ("1620", "København V"),
    ("2500", "Valby"),
    ("2450", "København SV"),
];

/// The demo's purpose its citizens' data was collected for.
const DEMO_PURPOSE: &str = "Beskæftigelsesindsats";

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
            purpose: Some(DEMO_PURPOSE.into()),
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
            purpose: Some(DEMO_PURPOSE.into()),
        });
    }
    (out, address, phone, email)
}

/// One synthetic person of the demo, before registration.
struct Person {
    name: String,
    cpr: Cpr,
    data: Vec<NewDatum>,
    address: String,
    phone: String,
    email: String,
}

/// The demo's synthetic people, the same on every run (a fixed seed): the first `n`.
fn demo_people(n: usize) -> Vec<Person> {
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let mut taken = HashSet::new();
    let mut names = HashSet::new();
    let staff: HashSet<&str> = DEMO_USERS.iter().map(|u| u.1).collect();
    let mut list = Vec::with_capacity(n);
    for i in 0..n {
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
        list.push(Person {
            name,
            cpr,
            data,
            address,
            phone,
            email,
        });
    }
    list
}

/// The names and CPR numbers of the demo's first `n` citizens (all synthetic), for the
/// demo identity provider to offer: the first ones have orders, so they have recipients.
pub fn demo_identities(n: usize) -> Vec<(String, Cpr)> {
    demo_people(n)
        .into_iter()
        .map(|p| (p.name, p.cpr))
        .collect()
}

impl App {
    /// Registers `citizens` synthetic citizens of the municipality.
    pub(super) async fn demo_citizens(
        &self,
        municipality_id: Uuid,
        citizens: usize,
    ) -> Result<Vec<DemoCitizen>, AppError> {
        let mut list = Vec::with_capacity(citizens);
        for p in demo_people(citizens) {
            let id = self
                .store()
                .gate()
                .register_subject(None, municipality_id, &p.cpr, &p.data, self.now())
                .await?;
            list.push(DemoCitizen {
                id,
                cpr: p.cpr,
                name: p.name,
                phone: p.phone,
                email: p.email,
                address: p.address,
            });
        }
        Ok(list)
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
