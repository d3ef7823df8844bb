//! The demo's procurement-data collaboration: an analysis service with an analyst and a
//! reviewer, four participating municipalities (the demo's own and three more), and two
//! years of their e-invoices, generated in the shape of the Danish PEPPOL BIS 3 example
//! invoices (UNSPSC-classified lines, credit notes, small purchases), a few with a
//! citizen named in a note, which wait in the review queue. Everything goes through the
//! same import as real invoices: anonymised first, then kept.

use uuid::Uuid;

use skjold_core::{Date, OrgKind, Role};

use super::{DEMO_MUNICIPALITY, DEMO_PASSWORD};
use crate::invoices::{Joining, Upload};
use crate::{App, AppError};

/// The analysis service.
pub const DEMO_SERVICE: &str = "Indkøbsdataservice (demo)";

/// The other participants: name, citizens, size (invoices a month), their contact.
const OTHERS: &[(&str, u64, u32, &str, &str)] = &[
    (
        "Aarhus Kommune (demo)",
        367_000,
        9,
        "indkoeber-aarhus",
        "Mads Bech",
    ),
    (
        "Odense Kommune (demo)",
        209_000,
        6,
        "indkoeber-odense",
        "Lene Friis",
    ),
    (
        "Aalborg Kommune (demo)",
        222_000,
        6,
        "indkoeber-aalborg",
        "Jonas Krog",
    ),
];

/// A supplier and what it sells: item name, UNSPSC code, unit, price in øre.
struct Supplier {
    name: &'static str,
    cvr: &'static str,
    items: &'static [(&'static str, &'static str, &'static str, i64)],
}

const SUPPLIERS: &[Supplier] = &[
    Supplier {
        name: "Kontorland A/S",
        cvr: "10000009",
        items: &[
            ("Kopipapir A4 80 g, 5 x 500 ark", "14111507", "EA", 18_900),
            ("Kuglepenne blå, 50 stk.", "44121704", "EA", 12_450),
            ("Toner sort til printer", "44103103", "EA", 89_900),
        ],
    },
    Supplier {
        name: "Mejeriet Nord A/S",
        cvr: "10000017",
        items: &[
            ("Økologisk letmælk 1 l", "50131701", "LTR", 1_195),
            ("Skyr naturel 1 kg", "50131800", "KGM", 3_450),
        ],
    },
    Supplier {
        name: "Grønt fra Fyn ApS",
        cvr: "10000025",
        items: &[
            ("Økologiske gulerødder", "50401700", "KGM", 1_290),
            ("Æbler, danske", "50301500", "KGM", 2_150),
        ],
    },
    Supplier {
        name: "Rengøringsgrossisten ApS",
        cvr: "10000033",
        items: &[
            ("Universalrengøring 5 l", "47131801", "EA", 24_900),
            ("Affaldssække 120 l, 25 stk.", "47121701", "EA", 8_900),
        ],
    },
    Supplier {
        name: "Byg & Vedligehold A/S",
        cvr: "10000041",
        items: &[("Vedligeholdelse af skolebygning", "72101500", "HUR", 62_500)],
    },
    Supplier {
        name: "IT-Huset Danmark A/S",
        cvr: "10000068",
        items: &[
            ("Bærbar computer 14\"", "43211503", "EA", 749_900),
            ("Support og drift, månedlig", "81111800", "MON", 1_250_000),
        ],
    },
    Supplier {
        name: "Elbil Leasing Danmark A/S",
        cvr: "10000076",
        items: &[(
            "Leasing af elbil til hjemmeplejen",
            "25101500",
            "MON",
            389_500,
        )],
    },
    Supplier {
        name: "Vikarbureauet Omsorg ApS",
        cvr: "10000084",
        items: &[(
            "Vikar, social- og sundhedsassistent",
            "80111600",
            "HUR",
            42_500,
        )],
    },
];

/// Small purchases without a classification.
const KIOSK: Supplier = Supplier {
    name: "Byens Blomster og Kiosk",
    cvr: "10000092",
    items: &[("Blomster til reception", "", "EA", 34_900)],
};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn amount(øre: i64) -> String {
    let sign = if øre < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        øre.unsigned_abs() / 100,
        øre.unsigned_abs() % 100
    )
}

/// A deterministic sequence (a linear congruential generator), so the demo is the same
/// every time.
struct Seq(u64);

impl Seq {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

/// One UBL document in the shape of a PEPPOL BIS 3 invoice or credit note.
#[allow(clippy::too_many_arguments)]
fn document(
    credit: bool,
    id: &str,
    issued: Date,
    supplier: &Supplier,
    buyer: &str,
    lines: &[(usize, i64)],
    note: Option<&str>,
    contract: Option<&str>,
) -> String {
    let (root, line_tag, qty_tag, type_tag, type_code) = if credit {
        (
            "CreditNote",
            "CreditNoteLine",
            "CreditedQuantity",
            "CreditNoteTypeCode",
            "381",
        )
    } else {
        (
            "Invoice",
            "InvoiceLine",
            "InvoicedQuantity",
            "InvoiceTypeCode",
            "380",
        )
    };
    let mut total = 0;
    let mut body = String::new();
    for (n, (item, qty)) in lines.iter().enumerate() {
        let (name, code, unit, price) = supplier.items[*item];
        let line_amount = price * qty;
        total += line_amount;
        let class = if code.is_empty() {
            String::new()
        } else {
            format!(
                "<cac:CommodityClassification><cbc:ItemClassificationCode listID=\"UNSPSC\">{code}</cbc:ItemClassificationCode></cac:CommodityClassification>"
            )
        };
        body.push_str(&format!(
            "<cac:{line_tag}><cbc:ID>{}</cbc:ID><cbc:{qty_tag} unitCode=\"{unit}\">{qty}</cbc:{qty_tag}>\
             <cbc:LineExtensionAmount currencyID=\"DKK\">{}</cbc:LineExtensionAmount>\
             <cac:Item><cbc:Name>{}</cbc:Name><cac:SellersItemIdentification><cbc:ID>{}-{item}</cbc:ID></cac:SellersItemIdentification>{class}\
             <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>\
             <cac:Price><cbc:PriceAmount currencyID=\"DKK\">{}</cbc:PriceAmount></cac:Price></cac:{line_tag}>",
            n + 1,
            amount(line_amount),
            esc(name),
            supplier.cvr,
            amount(price),
        ));
    }
    let note = note.map_or_else(String::new, |n| format!("<cbc:Note>{}</cbc:Note>", esc(n)));
    let contract = contract.map_or_else(String::new, |c| {
        format!(
            "<cac:ContractDocumentReference><cbc:ID>{}</cbc:ID></cac:ContractDocumentReference>",
            esc(c)
        )
    });
    let vat = total / 4;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:{root}-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\
         <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>\
         <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>\
         <cbc:ID>{id}</cbc:ID><cbc:IssueDate>{issued}</cbc:IssueDate><cbc:{type_tag}>{type_code}</cbc:{type_tag}>{note}\
         <cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>{contract}\
         <cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0184\">DK{cvr}</cbc:EndpointID>\
         <cac:PartyName><cbc:Name>{sname}</cbc:Name></cac:PartyName>\
         <cac:PartyLegalEntity><cbc:RegistrationName>{sname}</cbc:RegistrationName><cbc:CompanyID schemeID=\"0184\">DK{cvr}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>\
         <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>{bname}</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>\
         <cac:TaxTotal><cbc:TaxAmount currencyID=\"DKK\">{vat}</cbc:TaxAmount></cac:TaxTotal>\
         <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID=\"DKK\">{net}</cbc:LineExtensionAmount>\
         <cbc:TaxExclusiveAmount currencyID=\"DKK\">{net}</cbc:TaxExclusiveAmount>\
         <cbc:TaxInclusiveAmount currencyID=\"DKK\">{gross}</cbc:TaxInclusiveAmount>\
         <cbc:PayableAmount currencyID=\"DKK\">{gross}</cbc:PayableAmount></cac:LegalMonetaryTotal>{body}</{root}>",
        cvr = supplier.cvr,
        sname = esc(supplier.name),
        bname = esc(buyer),
        vat = amount(vat),
        net = amount(total),
        gross = amount(total + vat),
    )
}

/// Two years of one organisation's documents, up to `last` (a month per step back):
/// `per_month` invoices a month, a credit note now and then, small purchases, and
/// `queued` invoices whose note names a citizen.
pub fn demo_invoices(
    buyer: &str,
    per_month: u32,
    last: Date,
    seed: u64,
    queued: usize,
) -> Vec<Upload> {
    let mut seq = Seq(seed);
    let mut out = Vec::new();
    let first = Date::from_ymd(last.year(), last.month(), 1).unwrap_or(last);
    let notes = [
        "Vedr. borger Jens Peter Hansen, Møllevej 12, 8000 Aarhus C, CPR 010203-1234: hjælpemiddel leveret",
        "Att. Mette Kristensen, tlf. 20 30 40 50, vedr. plads på bosted",
    ];
    for back in 0..24 {
        let month = first.plus_months(-back);
        for k in 0..per_month {
            let supplier = &SUPPLIERS[seq.next(SUPPLIERS.len() as u64) as usize];
            let lines: Vec<(usize, i64)> = (0..1 + seq.next(3))
                .map(|_| {
                    let item = seq.next(supplier.items.len() as u64) as usize;
                    (item, 1 + seq.next(40) as i64)
                })
                .collect();
            let day = 1 + seq.next(27) as u8;
            let issued = Date::from_ymd(month.year(), month.month(), day).unwrap_or(month);
            let id = format!(
                "{}-{}{:02}-{k:03}",
                &supplier.cvr[4..],
                month.year(),
                month.month()
            );
            let contract =
                (supplier.name == "Kontorland A/S").then_some("SKI 50.40 Kontorartikler");
            out.push(Upload {
                name: format!("{id}.xml"),
                bytes: document(false, &id, issued, supplier, buyer, &lines, None, contract)
                    .into_bytes(),
            });
            if seq.next(25) == 0 {
                let cid = format!("K{id}");
                out.push(Upload {
                    name: format!("{cid}.xml"),
                    bytes: document(
                        true,
                        &cid,
                        issued,
                        supplier,
                        buyer,
                        &lines[..1],
                        None,
                        contract,
                    )
                    .into_bytes(),
                });
            }
        }
        // A small purchase or two a month.
        for k in 0..1 + seq.next(2) {
            let id = format!("KIOSK-{}{:02}-{k}", month.year(), month.month());
            let day = 1 + seq.next(27) as u8;
            let issued = Date::from_ymd(month.year(), month.month(), day).unwrap_or(month);
            out.push(Upload {
                name: format!("{id}.xml"),
                bytes: document(
                    false,
                    &id,
                    issued,
                    &KIOSK,
                    buyer,
                    &[(0, 1 + seq.next(3) as i64)],
                    None,
                    None,
                )
                .into_bytes(),
            });
        }
    }
    for (i, note) in notes.iter().cycle().take(queued).enumerate() {
        let supplier = &SUPPLIERS[7];
        let id = format!("REVIEW-{i:02}");
        out.push(Upload {
            name: format!("{id}.xml"),
            bytes: document(
                false,
                &id,
                first,
                supplier,
                buyer,
                &[(0, 8)],
                Some(note),
                None,
            )
            .into_bytes(),
        });
    }
    out
}

impl App {
    /// The collaboration of the demo (see the module's documentation), on a demo built by
    /// [`App::build_demo_base`]: the demo's municipality, whose buyer is its designated
    /// contact, and three more take part, each with two years of invoices.
    pub async fn add_demo_collaboration(&self) -> Result<(), AppError> {
        let named = |name: &str| {
            let name = name.to_owned();
            async move {
                self.store()
                    .directory()
                    .organisations()
                    .await?
                    .into_iter()
                    .find(|o| o.name == name)
                    .map(|o| o.id)
                    .ok_or(AppError::Refused(
                        skjold_core::Problem::OrganisationNotFound,
                    ))
            }
        };
        let municipality = (named(DEMO_MUNICIPALITY).await?, DEMO_MUNICIPALITY);
        let service = named(DEMO_SERVICE).await?;
        let buyer = self.named_user("indkoeber").await?.user_id;
        let today = self.now().local_date();
        let join = |citizens: u64, contact: Uuid| Joining {
            service_id: service,
            contact_user_id: contact,
            citizens: Some(citizens),
            currency: "DKK".into(),
        };
        self.join_invoices_as_operator(municipality.0, &join(660_000, buyer))
            .await?;
        let own = demo_invoices(municipality.1, 14, today, 17, 3);
        self.import_invoices(municipality.0, own, 500, |_| {})
            .await?;
        for (i, (name, citizens, size, username, display)) in OTHERS.iter().enumerate() {
            let org = self
                .create_organisation(None, OrgKind::Municipality, None, name, None)
                .await?;
            let contact = self
                .add_user(None, org.id, username, display, Role::Buyer, DEMO_PASSWORD)
                .await?;
            self.join_invoices_as_operator(org.id, &join(*citizens, contact.id))
                .await?;
            let docs = demo_invoices(name, *size, today, 100 + i as u64, 1);
            self.import_invoices(org.id, docs, 500, |_| {}).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_documents_read_and_add_up() {
        let today = Date::from_ymd(2026, 12, 1).expect("a date");
        let docs = demo_invoices("Testby Kommune", 5, today, 1, 2);
        assert!(docs.len() >= 24 * 6 + 2);
        for u in &docs {
            let text = std::str::from_utf8(&u.bytes).expect("UTF-8");
            let d = crate::invoices::read::read(text).unwrap_or_else(|e| panic!("{}: {e}", u.name));
            assert_eq!(d.declared_line_total, Some(d.line_total()), "{}", u.name);
            assert_eq!(d.currency, "DKK");
        }
        let ids: std::collections::BTreeSet<&str> = docs.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(ids.len(), docs.len(), "every document has its own id");
    }
}
