//! The records of processing activities (art. 30) as a document: the controller and its
//! privacy officers, the activities of each unit (art. 30(1)), the record of each processor
//! (art. 30(2)) and the general security measures (art. 30(1)(g)), with the review stamp
//! when the record shown is a reviewed version.

use skjold_core::records::{
    Activity, ProcessorRecord, RecordsOfProcessing, RecordsVersion, SubProcessorLine, TransferLine,
    UnitRecord,
};

use crate::layout::{Block, Column, Table};
use crate::render::Letter;
use crate::words;
use crate::wrap::{Para, labelled, para, strong};

const TITLE: &str = "Fortegnelse over behandlingsaktiviteter";

pub(crate) fn document(r: &RecordsOfProcessing, stamp: Option<&RecordsVersion>) -> Letter {
    let c = r.controller.as_str();
    let mut lines: Vec<Para> = vec![vec![strong(c)]];
    if let Some(cvr) = r.controller_cvr.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(labelled("CVR-nummer", cvr));
    }
    lines.push(labelled("Opgjort", r.generated_at.danish()));
    match stamp {
        Some(v) => {
            lines.push(labelled("Version", v.version.to_string()));
            lines.push(labelled(
                "Gennemgået",
                format!("{} af {}", v.reviewed_at.danish(), v.reviewed_by),
            ));
            if !v.note.trim().is_empty() {
                lines.push(labelled("Bemærkning til versionen", v.note.trim()));
            }
        }
        None => lines.push(labelled(
            "Status",
            "Ikke gennemgået – opgjort ud fra Skjolds oplysninger og endnu ikke godkendt af \
             databeskyttelsesrådgiveren",
        )),
    }
    let mut b = vec![Block::Lines(lines), Block::Heading(1, TITLE.to_owned())];
    b.push(Block::Para(para(format!(
        "Fortegnelsen over de behandlingsaktiviteter, som {c} er ansvarlig for \
         (databeskyttelsesforordningens artikel 30, stk. 1), og over de behandlinger, \
         databehandlerne foretager på vegne af {c} (artikel 30, stk. 2)."
    ))));

    controller(&mut b, r);
    b.push(Block::Heading(
        2,
        "2. Behandlingsaktiviteter (artikel 30, stk. 1)".to_owned(),
    ));
    if r.units.is_empty() {
        b.push(Block::Para(para(
            "Der er ikke registreret behandlingsaktiviteter for nogen enhed.",
        )));
    }
    for u in &r.units {
        unit(&mut b, u);
    }
    b.push(Block::Heading(
        2,
        "3. Databehandlere (artikel 30, stk. 2)".to_owned(),
    ));
    if r.processors.is_empty() {
        b.push(Block::Para(para(
            "Der er ikke registreret databehandlere, som behandler personoplysninger på \
             vegne af den dataansvarlige.",
        )));
    }
    for p in &r.processors {
        processor(&mut b, p);
    }
    b.push(Block::Heading(
        2,
        "4. Tekniske og organisatoriske sikkerhedsforanstaltninger (artikel 30, stk. 1, \
         litra g)"
            .to_owned(),
    ));
    if r.security_measures.iter().all(|m| m.trim().is_empty()) {
        b.push(Block::Para(para(
            "Der er ikke beskrevet generelle sikkerhedsforanstaltninger.",
        )));
    } else {
        b.push(Block::List(
            r.security_measures
                .iter()
                .filter(|m| !m.trim().is_empty())
                .map(|m| vec![para(m.trim())])
                .collect(),
        ));
    }

    let version = stamp.map(|v| format!(", version {}", v.version));
    let version = version.unwrap_or_default();
    Letter {
        title: format!("{TITLE} – {c}{version}"),
        footer: format!("Fortegnelse{version} · {c}"),
        author: c.to_owned(),
        blocks: b,
    }
}

fn controller(b: &mut Vec<Block>, r: &RecordsOfProcessing) {
    b.push(Block::Heading(
        2,
        "1. Den dataansvarlige og databeskyttelsesrådgiveren".to_owned(),
    ));
    let mut lines = vec![labelled("Dataansvarlig", &r.controller)];
    if let Some(cvr) = r.controller_cvr.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(labelled("CVR-nummer", cvr));
    }
    b.push(Block::Lines(lines));
    if r.privacy_officers.is_empty() {
        b.push(Block::Para(para(
            "Der er ikke registreret en databeskyttelsesrådgiver.",
        )));
        return;
    }
    b.push(Block::Table(Table {
        summary: "Databeskyttelsesrådgiveren og kontaktpersonerne for databeskyttelse: navn \
                  og kontaktoplysninger."
            .to_owned(),
        columns: vec![
            Column {
                title: "Databeskyttelsesrådgiver",
                share: 200.0,
            },
            Column {
                title: "Kontaktoplysninger",
                share: 271.0,
            },
        ],
        rows: r
            .privacy_officers
            .iter()
            .map(|o| vec![vec![para(&o.name)], vec![para(&o.detail)]])
            .collect(),
    }));
}

fn unit(b: &mut Vec<Block>, u: &UnitRecord) {
    b.push(Block::Heading(3, u.unit.clone()));
    if u.activities.is_empty() {
        b.push(Block::Para(para(
            "Enheden har ingen registrerede behandlingsaktiviteter.",
        )));
    }
    for a in &u.activities {
        activity(b, a);
    }
}

fn activity(b: &mut Vec<Block>, a: &Activity) {
    b.push(Block::Heading(4, a.name.clone()));
    b.push(Block::Lines(vec![
        labelled("Formål", words::or_none(&a.purpose)),
        labelled("Retsgrundlag", words::or_none(&a.legal_basis)),
        labelled(
            "Kategorier af registrerede",
            words::or_none(&a.subject_categories),
        ),
        labelled(
            "Kategorier af personoplysninger",
            words::categories(&a.data_categories),
        ),
        labelled(
            "Opbevaring og sletning",
            words::or_none(&a.retention.join("; ")),
        ),
        labelled("Kilde til oplysningen i fortegnelsen", source(&a.source)),
    ]));
    if a.recipients.is_empty() {
        b.push(Block::Para(labelled("Modtagere", "Ingen")));
    } else {
        b.push(Block::Table(Table {
            summary: format!(
                "Modtagere af oplysningerne i behandlingsaktiviteten {}: modtager, \
                 kategorier af oplysninger og antal videregivne oplysninger.",
                a.name
            ),
            columns: vec![
                Column {
                    title: "Modtager",
                    share: 170.0,
                },
                Column {
                    title: "Kategorier af personoplysninger",
                    share: 211.0,
                },
                Column {
                    title: "Videregivne oplysninger",
                    share: 90.0,
                },
            ],
            rows: a
                .recipients
                .iter()
                .map(|r| {
                    vec![
                        vec![para(&r.name)],
                        vec![para(words::categories(&r.categories))],
                        vec![para(words::number(r.disclosures))],
                    ]
                })
                .collect(),
        }));
    }
    transfers(b, &a.transfers, &a.name);
}

fn processor(b: &mut Vec<Block>, p: &ProcessorRecord) {
    b.push(Block::Heading(3, p.name.clone()));
    let mut lines = Vec::new();
    if let Some(cvr) = p.cvr.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(labelled("CVR-nummer", cvr));
    }
    lines.extend([
        labelled("Behandler på vegne af", words::or_none(&p.controller)),
        labelled(
            "Databehandleraftale",
            format!(
                "{}, version {}",
                words::or_none(&p.dpa_reference),
                p.dpa_version
            ),
        ),
        labelled(
            "Kategorier af behandling",
            words::or_none(&p.processing.join("; ")),
        ),
        labelled(
            "Kategorier af personoplysninger",
            words::categories(&p.data_categories),
        ),
        labelled("Sikkerhedsniveau", words::or_none(&p.security_level)),
    ]);
    b.push(Block::Lines(lines));
    sub_processors(b, p);
    transfers(b, &p.transfers, &p.name);
}

fn sub_processors(b: &mut Vec<Block>, p: &ProcessorRecord) {
    if p.sub_processors.is_empty() {
        b.push(Block::Para(labelled("Underdatabehandlere", "Ingen")));
        return;
    }
    let row = |s: &SubProcessorLine| {
        vec![
            vec![para(&s.name)],
            vec![para(&s.country)],
            vec![para(&s.task)],
            vec![para(s.agreement_on.clone().unwrap_or_default())],
            vec![para(sub_processor_status(&s.status))],
        ]
    };
    b.push(Block::Table(Table {
        summary: format!(
            "Underdatabehandlere hos {}: navn, land, opgave, hvornår aftalen er indgået, og \
             status.",
            p.name
        ),
        columns: vec![
            Column {
                title: "Underdatabehandler",
                share: 130.0,
            },
            Column {
                title: "Land",
                share: 62.0,
            },
            Column {
                title: "Opgave",
                share: 135.0,
            },
            Column {
                title: "Aftale indgået",
                share: 72.0,
            },
            Column {
                title: "Status",
                share: 72.0,
            },
        ],
        rows: p.sub_processors.iter().map(row).collect(),
    }));
}

fn transfers(b: &mut Vec<Block>, transfers: &[TransferLine], of: &str) {
    if transfers.is_empty() {
        b.push(Block::Para(labelled(
            "Overførsler til tredjelande",
            "Ingen",
        )));
        return;
    }
    b.push(Block::Table(Table {
        summary: format!(
            "Overførsler til tredjelande eller internationale organisationer ({of}): \
             databehandler, modtager, land, overførselsgrundlag og om overførslen er godkendt."
        ),
        columns: vec![
            Column {
                title: "Databehandler",
                share: 92.0,
            },
            Column {
                title: "Modtager i tredjeland",
                share: 100.0,
            },
            Column {
                title: "Land",
                share: 54.0,
            },
            Column {
                title: "Overførselsgrundlag",
                share: 170.0,
            },
            Column {
                title: "Godkendt",
                share: 55.0,
            },
        ],
        rows: transfers
            .iter()
            .map(|t| {
                vec![
                    vec![para(&t.processor)],
                    vec![para(&t.recipient)],
                    vec![para(&t.country)],
                    vec![para(&t.basis)],
                    vec![para(if t.approved { "Ja" } else { "Nej" })],
                ]
            })
            .collect(),
    }));
}

/// Where an activity comes from, in words; a key not known is shown as it is.
fn source(key: &str) -> String {
    match key.trim() {
        "configuration" => "Skjolds opsætning (ydelsestyper og bestillinger)".to_owned(),
        "reported" => "Indberettet af enheden og godkendt af databeskyttelsesrådgiveren".to_owned(),
        "" => "Ikke oplyst".to_owned(),
        other => other.to_owned(),
    }
}

/// A sub-processor's status in words; a key not known is shown as it is.
fn sub_processor_status(key: &str) -> String {
    match key.trim() {
        "approved" | "active" => "Godkendt".to_owned(),
        "announced" | "pending" | "proposed" => "Varslet".to_owned(),
        "objected" => "Indsigelse".to_owned(),
        "withdrawn" => "Trukket tilbage".to_owned(),
        "ended" | "removed" => "Ophørt".to_owned(),
        other => other.to_owned(),
    }
}
