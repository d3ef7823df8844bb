//! The decision on a request, and the notice that the deadline is extended.

use skjold_core::rights::{
    Decision, DecisionLetter, ErasureGround, ExtensionNotice, Outcome, RectificationJudgement,
    RestrictionGround, RightKind,
};

use crate::layout::{Block, Column, Table};
use crate::render::Letter;
use crate::wrap::{Para, labelled, para, strong, text};
use crate::{Head, access, closing, words};

/// The decision as the core's rules know it, from what the letter carries.
fn decision_of(l: &DecisionLetter) -> Decision {
    let ground = l.ground.as_deref().unwrap_or_default();
    match l.kind {
        RightKind::Access => Decision::Access(l.outcome),
        RightKind::Rectification => match RectificationJudgement::parse(ground) {
            Ok(j) => Decision::Rectification(j, String::new()),
            Err(_) => Decision::Other(l.outcome),
        },
        RightKind::Restriction => match RestrictionGround::parse(ground) {
            Ok(g) => Decision::Restriction(l.outcome, g),
            Err(_) => Decision::Other(l.outcome),
        },
        RightKind::Erasure => Decision::Erasure(l.outcome, ErasureGround::parse(ground).ok()),
        RightKind::Portability | RightKind::Objection | RightKind::AutomatedDecision => {
            Decision::Other(l.outcome)
        }
    }
}

pub(crate) fn decision(l: &DecisionLetter) -> Letter {
    let c = l.controller.as_str();
    let decided = decision_of(l);
    let head = Head {
        controller: c,
        citizen: &l.citizen_name,
        reference: &l.case_reference,
        received_on: l.received_on,
        more: vec![("Afgørelsens dato", l.decided_on.danish())],
    };
    let footer = head.footer();
    let heading = format!("Afgørelse om {}", words::subject(l.kind));
    let mut b = head.blocks(heading.clone());

    b.push(Block::Heading(2, "Afgørelse".to_owned()));
    let verb = match l.outcome {
        Outcome::Granted => "imødekommer",
        Outcome::PartlyGranted => "imødekommer delvist",
        Outcome::Refused => "afslår",
    };
    b.push(Block::Para(vec![
        text(format!("{c} {verb} {}. ", words::request(l.kind))),
        text(format!(
            "Afgørelsen er truffet efter databeskyttelsesforordningens {}.",
            words::article(l.kind)
        )),
    ]));
    b.push(Block::Para(labelled(
        "Resultat",
        capitalised(words::outcome(l.outcome)),
    )));

    b.push(Block::Heading(2, "Begrundelse".to_owned()));
    if let Some(ground) = l.ground.as_deref().and_then(|g| words::ground(l.kind, g)) {
        b.push(Block::Para(para(ground)));
    }
    b.push(Block::Para(para(&l.reasons)));
    // How an objection was weighed, or the questions about an automated decision.
    if let Some(a) = &l.assessment {
        for (question, answer) in a.lines() {
            b.push(Block::Para(labelled(question, answer)));
        }
    }

    // What the decision did to the data.
    let removed = removes(l);
    if erased(l) {
        match l.key_gone_by {
            Some(day) => b.push(Block::Para(para(format!(
                "Dine oplysninger er slettet. De var krypteret med en nøgle, som kun gjaldt dine \
                 oplysninger, og nøglen er slettet, så oplysningerne ikke længere kan læses. \
                 Sikkerhedskopier, der stadig indeholder nøglen, udløber senest den {}. \
                 Derefter findes nøglen ingen steder.",
                day.danish()
            )))),
            None => b.push(Block::Para(para(
                "De oplysninger, afgørelsen gælder, er slettet.",
            ))),
        }
    }
    if decided.changes_data() {
        b.push(Block::Para(para(
            "Har vi videregivet oplysningerne til andre, har vi underrettet dem om ændringen \
             (databeskyttelsesforordningens artikel 19).",
        )));
    }

    if !l.items.is_empty() {
        b.push(Block::Heading(
            2,
            "De oplysninger, afgørelsen gælder".to_owned(),
        ));
        b.push(Block::Table(Table {
            summary: "De oplysninger, afgørelsen gælder: oplysning, værdi og status efter \
                      afgørelsen."
                .to_owned(),
            columns: vec![
                Column {
                    title: "Oplysning",
                    share: 90.0,
                },
                Column {
                    title: "Værdi",
                    share: 220.0,
                },
                Column {
                    title: "Status efter afgørelsen",
                    share: 161.0,
                },
            ],
            rows: l
                .items
                .iter()
                .map(|i| {
                    let status: Vec<Para> = if removed {
                        vec![vec![strong("Fjernet")]]
                    } else {
                        let marks = access::value_with_marks(i);
                        match marks.len() {
                            1 => vec![para("Uændret")],
                            _ => marks.into_iter().skip(1).collect(),
                        }
                    };
                    vec![vec![para(i.field.danish())], vec![para(&i.value)], status]
                })
                .collect(),
        }));
    }

    b.push(Block::Heading(2, "Klagevejledning".to_owned()));
    b.push(Block::Para(para(format!(
        "Hvis du er utilfreds med afgørelsen, kan du klage til Datatilsynet. Du kan også \
         altid kontakte {c} først, hvis du mener, at vi har misforstået din anmodning."
    ))));
    b.push(Block::Lines(words::datatilsynet()));
    b.extend(closing(c, &l.case_reference));

    Letter {
        title: format!("{heading} – sag {}", l.case_reference),
        footer,
        author: c.to_owned(),
        blocks: b,
    }
}

/// Whether the items the decision concerned are gone: filed on the citizen by mistake and
/// removed, or erased.
fn removes(l: &DecisionLetter) -> bool {
    if !l.outcome.grants() {
        return false;
    }
    let ground = l.ground.as_deref().unwrap_or_default();
    match l.kind {
        RightKind::Rectification => {
            RectificationJudgement::parse(ground) == Ok(RectificationJudgement::Misfiled)
        }
        RightKind::Erasure => erased(l),
        _ => false,
    }
}

/// Whether the citizen's data was erased: a granted erasure on a ground that deletes, or
/// one the application reports the key's last backup for.
fn erased(l: &DecisionLetter) -> bool {
    decision_of(l).deletes()
        || (l.kind == RightKind::Erasure && l.outcome.grants() && l.key_gone_by.is_some())
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn extension(n: &ExtensionNotice) -> Letter {
    let c = n.controller.as_str();
    let head = Head {
        controller: c,
        citizen: &n.citizen_name,
        reference: &n.case_reference,
        received_on: n.received_on,
        more: vec![("Ny frist for svar", n.new_deadline.danish())],
    };
    let footer = head.footer();
    let heading = "Vi skal bruge længere tid til at svare dig".to_owned();
    let mut b = head.blocks(heading.clone());
    b.push(Block::Para(para(format!(
        "Vi modtog {} den {}. Normalt skal vi svare inden for en måned, det vil sige senest \
         den {}.",
        words::request(n.kind),
        n.received_on.danish(),
        n.first_deadline.danish()
    ))));
    b.push(Block::Para(vec![
        text("Vi forlænger fristen til den "),
        strong(n.new_deadline.danish()),
        text(format!(
            ". Det må vi efter databeskyttelsesforordningens artikel 12, stk. 3, når en \
             anmodning er kompleks, eller når vi har mange anmodninger. Fristen kan højst \
             forlænges med to måneder, og vi skal fortælle dig det, inden den første frist \
             udløber. Vi svarer dig, så snart vi kan, og senest den {}.",
            n.new_deadline.danish()
        )),
    ]));
    b.push(Block::Heading(2, "Derfor forlænger vi fristen".to_owned()));
    b.push(Block::Para(para(&n.reason)));
    b.push(Block::Heading(2, "Klagevejledning".to_owned()));
    b.push(Block::Para(para(
        "Hvis du er utilfreds med, at fristen forlænges, kan du klage til Datatilsynet:",
    )));
    b.push(Block::Lines(words::datatilsynet()));
    b.extend(closing(c, &n.case_reference));
    Letter {
        title: format!("Forlængelse af fristen for svar – sag {}", n.case_reference),
        footer,
        author: c.to_owned(),
        blocks: b,
    }
}
