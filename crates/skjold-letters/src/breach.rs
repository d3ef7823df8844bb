//! A personal-data breach as a report in the shape of Datatilsynet's notification form
//! (art. 33(3)): the controller and the contact point, the breach, the persons and data
//! concerned (with the affected persons found in the log, if attached), the likely
//! consequences, the measures, and the notification of the persons with the deadlines.

use skjold_core::breaches::{AffectedSummary, BreachReport, BreachView, Clock, ClockKind, Party};

use crate::layout::{Block, Column, Table};
use crate::render::Letter;
use crate::words;
use crate::wrap::{Para, labelled, para, strong, text};

const TITLE: &str = "Anmeldelse af brud på persondatasikkerheden";

pub(crate) fn report(v: &BreachView, controller: &str) -> Letter {
    let r = &v.report;
    let mut b = vec![
        Block::Lines(vec![
            vec![strong(controller)],
            labelled("Sagsnummer", &v.reference),
            labelled(
                "Registreret",
                format!("{} af {}", v.recorded_at.danish(), v.recorded_by),
            ),
        ]),
        Block::Heading(1, TITLE.to_owned()),
        Block::Para(para(
            "Anmeldelse efter databeskyttelsesforordningens artikel 33 og oplysninger om \
             underretning af de registrerede efter artikel 34, opstillet som Datatilsynets \
             blanket til anmeldelse af brud på persondatasikkerheden.",
        )),
    ];

    b.push(Block::Heading(
        2,
        "1. Dataansvarlig og kontaktpunkt".to_owned(),
    ));
    let mut lines = vec![
        labelled("Dataansvarlig", words::or_none(controller)),
        labelled("Kontaktpunkt", words::or_none(&r.contact_point)),
        labelled("Bruddet er opdaget af", r.detected_by.danish()),
    ];
    if let Some(name) = v.processor_name.as_deref() {
        lines.push(labelled("Databehandler", words::or_none(name)));
    }
    b.push(Block::Lines(lines));

    the_breach(&mut b, v);
    persons_and_data(&mut b, v);

    b.push(Block::Heading(2, "4. Sandsynlige konsekvenser".to_owned()));
    b.push(Block::Para(para(described(&r.consequences))));
    b.push(Block::Para(labelled("Risikovurdering", risk(r))));

    b.push(Block::Heading(
        2,
        "5. Trufne eller foreslåede foranstaltninger".to_owned(),
    ));
    b.push(Block::Para(para(described(&r.measures))));

    notification(&mut b, v);

    Letter {
        title: format!("{TITLE} – sag {}", v.reference),
        footer: format!("Brud {} · {controller}", v.reference),
        author: controller.to_owned(),
        blocks: b,
    }
}

fn the_breach(b: &mut Vec<Block>, v: &BreachView) {
    let r = &v.report;
    b.push(Block::Heading(2, "2. Bruddet".to_owned()));
    let mut lines = vec![
        labelled(
            "Bruddet skete",
            r.occurred_at
                .map_or_else(|| "Tidspunktet er ikke kendt".to_owned(), |t| t.danish()),
        ),
        labelled(
            "Den dataansvarlige blev opmærksom på bruddet",
            r.aware_at.danish(),
        ),
    ];
    if let Some(at) = r.processor_aware_at {
        lines.push(labelled(
            "Databehandleren blev opmærksom på bruddet",
            at.danish(),
        ));
    }
    b.push(Block::Lines(lines));
    b.push(Block::Para(vec![strong("Bruddets karakter:")]));
    if r.nature.is_empty() {
        b.push(Block::Para(para("Ikke oplyst")));
    } else {
        b.push(Block::List(
            r.nature.iter().map(|n| vec![para(n.danish())]).collect(),
        ));
    }
    b.push(Block::Para(vec![strong("Beskrivelse af bruddet:")]));
    b.push(Block::Para(para(described(&r.description))));
}

fn persons_and_data(b: &mut Vec<Block>, v: &BreachView) {
    let r = &v.report;
    b.push(Block::Heading(
        2,
        "3. Berørte personer og personoplysninger".to_owned(),
    ));
    b.push(Block::Lines(vec![
        labelled(
            "Kategorier af registrerede",
            words::or_none(&r.subject_categories),
        ),
        labelled(
            "Omtrentligt antal berørte personer",
            words::number(r.approx_persons),
        ),
        labelled(
            "Omtrentligt antal berørte registreringer",
            words::number(r.approx_records),
        ),
        labelled(
            "Kategorier af personoplysninger",
            words::categories(&r.data_categories),
        ),
    ]));
    if let Some(a) = &v.affected {
        affected(b, a);
    }
}

/// The persons the party reached in the window, found in the access log and the ledger.
fn affected(b: &mut Vec<Block>, a: &AffectedSummary) {
    b.push(Block::Heading(
        3,
        "Berørte personer fundet i loggen".to_owned(),
    ));
    let party = match a.query.party {
        Party::User(_) => "Brugeren",
        Party::Organisation(_) => "Organisationen",
    };
    b.push(Block::Para(para(format!(
        "Skjold har i adgangsloggen og videregivelsesloggen søgt efter de personer, hvis \
         oplysninger {} har brugt eller modtaget i perioden.",
        party.to_lowercase()
    ))));
    b.push(Block::Lines(vec![
        labelled(party, words::or_none(&a.party_name)),
        labelled(
            "Periode",
            format!("{} – {}", a.query.from.danish(), a.query.until.danish()),
        ),
        labelled("Berørte personer", words::number(a.persons)),
        labelled("Poster i adgangsloggen", words::number(a.log_entries)),
        labelled(
            "Poster i videregivelsesloggen",
            words::number(a.ledger_rows),
        ),
        labelled("Opgjort", a.computed_at.danish()),
    ]));
    if a.per_category.is_empty() {
        b.push(Block::Para(para(
            "Der er ikke fundet oplysninger i nogen kategori.",
        )));
        return;
    }
    b.push(Block::Table(Table {
        summary: "Berørte personer pr. kategori af personoplysninger: kategorien og hvor \
                  mange af personerne der havde oplysninger i den."
            .to_owned(),
        columns: vec![
            Column {
                title: "Kategori af personoplysninger",
                share: 300.0,
            },
            Column {
                title: "Berørte personer",
                share: 171.0,
            },
        ],
        rows: a
            .per_category
            .iter()
            .map(|(c, n)| vec![vec![para(c.danish())], vec![para(words::number(*n))]])
            .collect(),
    }));
}

fn notification(b: &mut Vec<Block>, v: &BreachView) {
    let r = &v.report;
    b.push(Block::Heading(
        2,
        "6. Underretning af de registrerede og frister".to_owned(),
    ));
    let persons: Para = if r.high_risk {
        match v.notifications.persons_notified_at {
            Some(at) => vec![
                text(
                    "Bruddet vurderes at indebære en høj risiko, og de registrerede er \
                      underrettet (artikel 34) den ",
                ),
                strong(at.danish()),
                text("."),
            ],
            None => para(
                "Bruddet vurderes at indebære en høj risiko. De registrerede skal underrettes \
                 uden unødig forsinkelse (artikel 34), og de er endnu ikke underrettet.",
            ),
        }
    } else {
        para(
            "De registrerede underrettes ikke, da bruddet ikke vurderes at indebære en høj \
             risiko for deres rettigheder (artikel 34, stk. 1).",
        )
    };
    b.push(Block::Para(persons));
    if v.clocks
        .iter()
        .any(|c| c.kind == ClockKind::ProcessorReport)
    {
        b.push(Block::Para(labelled(
            "Databehandleraftalens frist for underretning af den dataansvarlige",
            format!("{} timer", v.breach_notice_hours),
        )));
    }
    if v.clocks.is_empty() {
        b.push(Block::Para(para(
            "Ingen frister gælder: bruddet vurderes ikke at indebære en risiko for de \
             registrerede og skal ikke anmeldes til Datatilsynet (artikel 33, stk. 1). \
             Bruddet er registreret (artikel 33, stk. 5).",
        )));
        return;
    }
    b.push(Block::Table(Table {
        summary: "Fristerne for bruddet: pligten, fristen, hvornår den er opfyldt, status og \
                  begrundelsen for en forsinkelse."
            .to_owned(),
        columns: vec![
            Column {
                title: "Pligt",
                share: 130.0,
            },
            Column {
                title: "Frist",
                share: 70.0,
            },
            Column {
                title: "Opfyldt",
                share: 70.0,
            },
            Column {
                title: "Status",
                share: 80.0,
            },
            Column {
                title: "Begrundelse for forsinkelse",
                share: 121.0,
            },
        ],
        rows: v
            .clocks
            .iter()
            .map(|c| {
                vec![
                    vec![para(c.kind.danish())],
                    vec![para(c.due.danish())],
                    vec![para(
                        c.done_at
                            .map_or_else(|| "Ikke opfyldt".to_owned(), |t| t.danish()),
                    )],
                    vec![status(c)],
                    vec![para(c.late_reason.clone().unwrap_or_default())],
                ]
            })
            .collect(),
    }));
}

/// A clock's state in words; what is overdue without a reason is bold.
fn status(c: &Clock) -> Para {
    match (c.done_at.is_some(), c.late) {
        (true, false) => para("Opfyldt rettidigt"),
        (true, true) => para("Opfyldt for sent"),
        (false, false) => para("Fristen løber"),
        (false, true) if c.overdue => vec![strong("Overskredet")],
        (false, true) => para("Overskredet, begrundelse registreret"),
    }
}

fn risk(r: &BreachReport) -> &'static str {
    if r.high_risk {
        "Bruddet vurderes at indebære en høj risiko for de registreredes rettigheder og \
         frihedsrettigheder."
    } else if r.no_risk {
        "Bruddet vurderes ikke at indebære en risiko for de registreredes rettigheder og \
         frihedsrettigheder."
    } else {
        "Bruddet vurderes at indebære en risiko, men ikke en høj risiko, for de \
         registreredes rettigheder og frihedsrettigheder."
    }
}

fn described(s: &str) -> String {
    match s.trim() {
        "" => "Ikke beskrevet.".to_owned(),
        t => t.to_owned(),
    }
}
