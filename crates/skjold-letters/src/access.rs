//! The answer to an access request (art. 15): the layout of the binding template (seed 003
//! § 4.3.1) in nine numbered points, then the copy of the data (art. 15(3)) and what other
//! units and suppliers contributed.

use skjold_core::rights::{AccessAnswer, AnswerRecipient, CaseItem};

use crate::layout::{Block, Column, Table};
use crate::render::Letter;
use crate::wrap::{Para, labelled, para, strong, text};
use crate::{Head, closing, words};

/// What a draft says in its heading and title.
const DRAFT: &str = "UDKAST – ikke sendt";

pub(crate) fn letter(a: &AccessAnswer) -> Letter {
    let c = a.controller.as_str();
    let draft = !a.third_parties.is_empty();
    let heading = if draft {
        format!("{DRAFT}: Svar på din anmodning om indsigt")
    } else {
        "Svar på din anmodning om indsigt".to_owned()
    };
    let head = Head {
        controller: c,
        citizen: &a.citizen_name,
        reference: &a.case_reference,
        received_on: a.received_on,
        more: vec![("Behandlet efter", words::regime(a.regime).to_owned())],
    };
    let footer = if draft {
        format!("{DRAFT} · {}", head.footer())
    } else {
        head.footer()
    };
    let mut b = head.blocks(heading.clone());
    if draft {
        b.push(Block::Para(vec![
            strong("Dette er et udkast. "),
            text(
                "Svaret indeholder oplysninger om andre personer, som skal gennemgås og \
                 fjernes, før det sendes:",
            ),
        ]));
        b.push(Block::List(
            a.third_parties
                .iter()
                .map(|m| {
                    let kind = words::third_party_kind(&m.kind);
                    vec![labelled(&m.place, format!("{kind}, »{}«", m.text))]
                })
                .collect(),
        ));
    }
    b.push(Block::Para(para(format!(
        "Du har bedt {c} om indsigt i de oplysninger, vi behandler om dig. Her er vores svar \
         efter databeskyttelsesforordningens artikel 15. Først beskriver vi behandlingen af \
         dine oplysninger i punkt 1 til 9. Derefter får du en kopi af oplysningerne."
    ))));
    b.push(Block::Para(para(format!(
        "Din anmodning er behandlet efter {}.",
        words::regime(a.regime)
    ))));

    purposes(&mut b, a);
    b.push(Block::Heading(
        2,
        "2. De berørte kategorier af personoplysninger".to_owned(),
    ));
    if a.categories.is_empty() {
        b.push(Block::Para(para(
            "Vi behandler ingen kategorier af oplysninger om dig.",
        )));
    } else {
        b.push(Block::Para(para(format!(
            "For at opfylde formålene behandler {c} disse typer af oplysninger om dig:"
        ))));
        b.push(list(a.categories.iter().map(|k| k.danish().to_owned())));
    }
    recipients(&mut b, a);
    retention(&mut b, a);
    rights(&mut b, c);
    b.push(Block::Heading(2, "6. Klage til Datatilsynet".to_owned()));
    b.push(Block::Para(para(format!(
        "Hvis du er uenig i den måde, {c} behandler dine personoplysninger på, eller i de \
         formål, oplysningerne behandles til, er du velkommen til at kontakte {c}."
    ))));
    b.push(Block::Para(para("Du kan også klage til:")));
    b.push(Block::Lines(words::datatilsynet()));
    b.push(Block::Heading(
        2,
        "7. Hvor oplysningerne stammer fra".to_owned(),
    ));
    if a.sources.is_empty() {
        b.push(Block::Para(para(
            "Vi har ikke registreret andre kilder til dine oplysninger end dig selv.",
        )));
    } else {
        b.push(Block::Para(para(format!(
            "{c} har indsamlet eller modtaget dine oplysninger fra disse kilder:"
        ))));
        b.push(list(a.sources.iter().cloned()));
    }
    automated(&mut b, a);
    b.push(Block::Heading(
        2,
        "9. Overførsel til tredjelande".to_owned(),
    ));
    transfers(&mut b, a);
    copy(&mut b, a);
    contributions(&mut b, a);
    b.extend(closing(c, &a.case_reference));

    Letter {
        title: format!("{heading} – sag {}", a.case_reference),
        footer,
        author: c.to_owned(),
        blocks: b,
    }
}

fn list(items: impl Iterator<Item = String>) -> Block {
    Block::List(items.map(|s| vec![para(s)]).collect())
}

fn purposes(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(
        2,
        "1. Formålene med behandlingen og retsgrundlaget".to_owned(),
    ));
    if a.purposes.is_empty() {
        b.push(Block::Para(para(
            "Vi har ikke registreret formål for behandlingen af dine oplysninger.",
        )));
        return;
    }
    b.push(Block::Para(para(format!(
        "{} behandler dine oplysninger til disse formål:",
        a.controller
    ))));
    b.push(Block::List(
        a.purposes
            .iter()
            .map(|p| {
                let mut item = vec![vec![strong(&p.name)]];
                if !p.description.trim().is_empty() {
                    item.push(para(&p.description));
                }
                item.push(labelled("Retsgrundlag", &p.legal_basis));
                item
            })
            .collect(),
    ));
}

fn recipients(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(
        2,
        "3. Modtagere af personoplysningerne".to_owned(),
    ));
    if a.recipients.is_empty() {
        b.push(Block::Para(para(
            "Vi har ikke videregivet dine oplysninger til andre.",
        )));
    } else {
        b.push(Block::Para(para(format!(
            "{} har videregivet dine oplysninger til disse modtagere. For hver modtager kan du \
             se, hvilke oplysninger de har fået, hvordan og hvornår, og hvorfor en \
             sagsbehandler har besluttet at sende dem.",
            a.controller
        ))));
        for r in &a.recipients {
            recipient(b, r);
        }
    }
    if a.transfers.is_empty() {
        b.push(Block::Para(para(
            "Ingen af dine oplysninger overføres til lande uden for EU og EØS (tredjelande) \
             eller til internationale organisationer.",
        )));
    } else {
        b.push(Block::Para(para(
            "Dine oplysninger overføres til modtagere i lande uden for EU og EØS \
             (tredjelande), se også punkt 9:",
        )));
        b.push(list(a.transfers.iter().cloned()));
    }
}

fn recipient(b: &mut Vec<Block>, r: &AnswerRecipient) {
    b.push(Block::Heading(3, r.supplier.clone()));
    b.push(Block::Lines(vec![
        labelled("Ordre", &r.order_reference),
        labelled("Ydelse", &r.service),
        labelled("Formål", &r.purpose),
    ]));
    if r.disclosures.is_empty() {
        return;
    }
    b.push(Block::Table(Table {
        summary: format!(
            "De oplysninger, {} har fået: oplysning, hvordan, dato og begrundelse.",
            r.supplier
        ),
        columns: vec![
            Column {
                title: "Oplysning",
                share: 86.0,
            },
            Column {
                title: "Hvordan",
                share: 72.0,
            },
            Column {
                title: "Dato",
                share: 85.0,
            },
            Column {
                title: "Sagsbehandlerens begrundelse",
                share: 228.0,
            },
        ],
        rows: r
            .disclosures
            .iter()
            .map(|d| {
                let field = d.field.map_or("Fritekst i besked", |f| f.danish());
                vec![
                    vec![para(field)],
                    vec![para(d.kind.danish())],
                    vec![para(d.at.danish())],
                    vec![para(d.justification.clone().unwrap_or_default())],
                ]
            })
            .collect(),
    }));
}

fn retention(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(2, "4. Opbevaring".to_owned()));
    if a.purposes.is_empty() {
        b.push(Block::Para(para("Opbevaringsperioden er ikke oplyst.")));
        return;
    }
    b.push(Block::Para(para(format!(
        "{} opbevarer dine oplysninger så længe, det er nødvendigt for hvert formål:",
        a.controller
    ))));
    b.push(Block::List(
        a.purposes
            .iter()
            .map(|p| {
                let retention = match p.retention.trim() {
                    "" => "ikke oplyst",
                    r => r,
                };
                vec![labelled(&p.name, retention)]
            })
            .collect(),
    ));
}

/// Art. 15(1)(h): automated decisions, as the purposes declare them.
fn automated(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(2, "8. Automatiske afgørelser".to_owned()));
    let declared: Vec<_> = a
        .purposes
        .iter()
        .filter(|p| !p.automated_decision.trim().is_empty())
        .collect();
    if declared.is_empty() {
        b.push(Block::Para(para(
            "Ingen af formålene omfatter afgørelser, der alene bygger på automatisk \
             behandling. Afgørelser om dig træffes af en sagsbehandler.",
        )));
        return;
    }
    b.push(Block::Para(para(
        "Disse formål omfatter afgørelser, der alene bygger på automatisk behandling. Her \
         er logikken og betydningen for dig:",
    )));
    b.push(Block::List(
        declared
            .iter()
            .map(|p| vec![labelled(&p.name, p.automated_decision.trim())])
            .collect(),
    ));
    b.push(Block::Para(para(format!(
        "Du har ret til at få en sagsbehandler fra {} til at se på afgørelsen, til at give \
         dit synspunkt til kende og til at bestride afgørelsen (databeskyttelsesforordningens \
         artikel 22, stk. 3).",
        a.controller
    ))));
}

fn rights(b: &mut Vec<Block>, c: &str) {
    b.push(Block::Heading(2, "5. Dine rettigheder".to_owned()));
    for text in [
        format!(
            "Du har ret til at få rettet (berigtiget) dine personoplysninger og til at bede {c} \
             om at begrænse behandlingen af dem."
        ),
        format!(
            "Du kan også bede {c} om at slette oplysninger om dig. I så fald bliver dine \
             oplysninger slettet i det omfang, lovgivningen tillader det. {c} behandler som \
             udgangspunkt kun oplysninger, fordi loven kræver det, og derfor kan kommunen kun i \
             meget begrænset omfang imødekomme en anmodning om sletning."
        ),
        "Derudover har du ret til at gøre indsigelse mod indsamlingen og den videre \
         behandling af dine personoplysninger."
            .to_owned(),
        format!(
            "Hvis du vil bruge dine rettigheder, er du velkommen til at kontakte {c}. Du kan \
             blive bedt om at give de oplysninger, der skal til for at besvare din anmodning. \
             Vi svarer hurtigst muligt og senest inden for en måned."
        ),
    ] {
        b.push(Block::Para(para(text)));
    }
}

fn transfers(b: &mut Vec<Block>, a: &AccessAnswer) {
    if a.transfers.is_empty() {
        b.push(Block::Para(para(
            "Dine oplysninger overføres ikke til lande uden for EU og EØS (tredjelande) eller \
             til internationale organisationer.",
        )));
    } else {
        b.push(Block::Para(para(
            "Dine oplysninger overføres til tredjelande eller internationale organisationer \
             med disse garantier (databeskyttelsesforordningens artikel 46):",
        )));
        b.push(list(a.transfers.iter().cloned()));
    }
}

/// The copy of the data, one row an item, with the marks beside a value.
fn copy(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(2, "Kopi af dine oplysninger".to_owned()));
    if a.items.is_empty() {
        b.push(Block::Para(para(
            "Vi har ingen oplysninger registreret om dig.",
        )));
        return;
    }
    b.push(Block::Para(para(
        "Her er en kopi af de personoplysninger, vi behandler om dig (artikel 15, stk. 3). \
         Står der »Begrænset« ved en oplysning, må den kun opbevares og ikke bruges. Står der \
         »Berigtiget«, er oplysningen fundet forkert, og rettelsen står ved siden af. Dine \
         egne bemærkninger står under »Din bemærkning«.",
    )));
    b.push(Block::Table(Table {
        summary: "En kopi af dine personoplysninger: oplysning, værdi, kilde, formål og \
                  hvornår den er indsamlet."
            .to_owned(),
        columns: vec![
            Column {
                title: "Oplysning",
                share: 86.0,
            },
            Column {
                title: "Værdi",
                share: 140.0,
            },
            Column {
                title: "Kilde",
                share: 84.0,
            },
            Column {
                title: "Formål",
                share: 103.0,
            },
            Column {
                title: "Indsamlet",
                share: 58.0,
            },
        ],
        rows: a
            .items
            .iter()
            .map(|i| {
                vec![
                    vec![para(i.field.danish())],
                    value_with_marks(i),
                    vec![para(&i.source)],
                    vec![para(i.purpose.clone().unwrap_or_default())],
                    vec![para(i.collected_at.local_date().danish())],
                ]
            })
            .collect(),
    }));
}

/// An item's value with what stands beside it: restricted, rectified, the citizen's words.
pub(crate) fn value_with_marks(i: &CaseItem) -> Vec<Para> {
    let mut cell = vec![para(&i.value)];
    if i.restricted {
        cell.push(vec![strong("Begrænset")]);
    }
    if let Some(note) = &i.rectification {
        cell.push(labelled("Berigtiget", note));
    }
    for s in &i.statements {
        cell.push(labelled("Din bemærkning", s));
    }
    cell
}

fn contributions(b: &mut Vec<Block>, a: &AccessAnswer) {
    b.push(Block::Heading(
        2,
        "Oplysninger fra andre enheder og leverandører".to_owned(),
    ));
    if a.contributions.is_empty() {
        b.push(Block::Para(para(
            "Ingen andre enheder eller leverandører har bidraget til svaret.",
        )));
        return;
    }
    b.push(Block::Para(para(
        "Disse enheder og leverandører har søgt efter oplysninger om dig og svaret:",
    )));
    for (organisation, contribution) in &a.contributions {
        b.push(Block::Heading(3, organisation.clone()));
        b.push(Block::Para(para(contribution)));
    }
}
