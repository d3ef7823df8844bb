//! The reader against the example invoices in `shared/data/invoices` (standards bodies'
//! and agencies' examples of every flavour), with totals checked against the sender's own.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use skjold_core::invoices::document::{DocumentKind, Scheme};

use super::read::{ReadError, read};

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/invoices");
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the example invoices are there") {
            let path = entry.expect("readable").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The local name of a file's root element, found without an XML parser: the first tag
/// that is not a declaration, comment or processing instruction.
fn root_of(text: &str) -> String {
    let mut rest = text;
    loop {
        let at = rest.find('<').expect("a root element");
        rest = &rest[at + 1..];
        if rest.starts_with("!--") {
            rest = &rest[rest.find("-->").expect("as in the example")..];
        } else if !rest.starts_with('?') && !rest.starts_with('!') {
            let name: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return name
                .rsplit(':')
                .next()
                .expect("as in the example")
                .to_owned();
        }
    }
}

fn d(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

#[test]
fn every_example_invoice_and_credit_note_reads_and_its_lines_add_up() {
    let (mut invoices, mut credit_notes, mut other, mut checked_totals) = (0, 0, 0, 0);
    let mut not_adding_up = Vec::new();
    let mut expected = (0, 0);
    let files = examples();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("as in the example");
        match root_of(&text).as_str() {
            "Invoice" => expected.0 += 1,
            "CreditNote" => expected.1 += 1,
            _ => {}
        }
        let doc = match read(&text) {
            Ok(doc) => doc,
            Err(ReadError::NotAnInvoice(_)) => {
                other += 1;
                continue;
            }
            Err(e) => panic!("{}: {e}", path.display()),
        };
        match doc.kind {
            DocumentKind::Invoice => invoices += 1,
            DocumentKind::CreditNote => credit_notes += 1,
        }
        assert!(!doc.lines.is_empty(), "{}: no lines", path.display());
        assert!(!doc.id.is_empty() && !doc.currency.is_empty());
        if let Some(declared) = doc.declared_line_total {
            checked_totals += 1;
            if doc.line_total() != declared {
                not_adding_up.push(
                    path.file_name()
                        .expect("as in the example")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    assert_eq!((invoices, credit_notes), expected);
    assert!(
        invoices >= 100 && credit_notes >= 20,
        "the examples are not all there"
    );
    assert_eq!(other, files.len() - invoices - credit_notes);
    assert!(
        checked_totals >= 120,
        "only {checked_totals} totals checked"
    );
}

#[test]
fn the_peppol_base_example_reads_as_written() {
    let path = examples()
        .into_iter()
        .find(|p| p.ends_with("openpeppol-bis-billing-3/examples/base-example.xml"))
        .expect("as in the example");
    let doc = read(&std::fs::read_to_string(path).expect("as in the example"))
        .expect("as in the example");
    assert_eq!(doc.kind, DocumentKind::Invoice);
    assert_eq!(doc.id, "Snippet1");
    assert_eq!(doc.issue_date.to_string(), "2017-11-13");
    assert_eq!(doc.currency, "EUR");
    assert_eq!(
        doc.supplier.name.as_deref(),
        Some("SupplierTradingName Ltd.")
    );
    assert_eq!(doc.supplier.id.as_deref(), Some("GB983294"));
    assert_eq!(doc.buyer.id.as_deref(), Some("0183:39937423947"));
    assert_eq!(doc.lines.len(), 2);
    let first = &doc.lines[0];
    assert_eq!(first.id, "1");
    assert_eq!(
        (first.quantity, first.unit_code.as_deref()),
        (d("7"), Some("DAY"))
    );
    assert_eq!(first.amount, d("2800"));
    assert_eq!(first.item_name.as_deref(), Some("item name"));
    assert_eq!(first.gtin.as_deref(), Some("21382183120983"));
    let class = first.classification.as_ref().expect("as in the example");
    assert_eq!(
        (class.scheme, class.code.as_str()),
        (Scheme::Other, "09348023")
    );
    assert_eq!(doc.lines[1].amount, d("-1500"));
    assert_eq!(doc.declared_line_total, Some(d("1300")));
}

#[test]
fn reported_emissions_classifications_and_entities_are_read() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>A-1</cbc:ID><cbc:IssueDate>2026-03-31</cbc:IssueDate>
 <cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>
 <cac:ContractDocumentReference><cbc:ID>SKI 02.19</cbc:ID></cac:ContractDocumentReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyName><cbc:Name>Frugt &amp; Grønt A/S</cbc:Name></cac:PartyName>
  <cac:PartyLegalEntity><cbc:CompanyID schemeID="DK:CVR">DK12345678</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID>
  <cbc:InvoicedQuantity unitCode="KGM">40</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="DKK">1000.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Description>Økologiske æbler</cbc:Description>
   <cac:SellersItemIdentification><cbc:ID>AEB-1</cbc:ID></cac:SellersItemIdentification>
   <cac:CommodityClassification><cbc:ItemClassificationCode listID="ZZZ">x</cbc:ItemClassificationCode></cac:CommodityClassification>
   <cac:CommodityClassification><cbc:ItemClassificationCode listID="UNSPSC">50301500</cbc:ItemClassificationCode></cac:CommodityClassification>
   <cac:AdditionalItemProperty><cbc:Name>EmissionFactor</cbc:Name><cbc:Value>0.25</cbc:Value></cac:AdditionalItemProperty>
   <cac:AdditionalItemProperty><cbc:Name>NetEmissionQuantity</cbc:Name><cbc:Value>10</cbc:Value></cac:AdditionalItemProperty>
  </cac:Item>
  <cac:SubInvoiceLine><cbc:ID>1.1</cbc:ID><cbc:LineExtensionAmount currencyID="DKK">1000.00</cbc:LineExtensionAmount></cac:SubInvoiceLine>
 </cac:InvoiceLine>
</Invoice>"#;
    let doc = read(xml).expect("as in the example");
    assert_eq!(doc.contract_reference.as_deref(), Some("SKI 02.19"));
    assert_eq!(doc.supplier.name.as_deref(), Some("Frugt & Grønt A/S"));
    assert_eq!(doc.supplier.id.as_deref(), Some("DK:CVR:DK12345678"));
    assert_eq!(doc.lines.len(), 1, "a sub-line is part of its line");
    let line = &doc.lines[0];
    assert_eq!(line.item_name.as_deref(), Some("Økologiske æbler"));
    assert_eq!(line.seller_item_id.as_deref(), Some("AEB-1"));
    let class = line.classification.as_ref().expect("as in the example");
    assert_eq!(
        (class.scheme, class.code.as_str()),
        (Scheme::Unspsc, "50301500")
    );
    let emission = line.emission.expect("as in the example");
    assert_eq!(emission.valid_kg(line.quantity), Some(d("10")));
}

#[test]
fn what_is_not_an_invoice_is_refused_with_its_reason() {
    assert!(matches!(read("<Order/>"), Err(ReadError::NotAnInvoice(n)) if n == "Order"));
    assert!(matches!(
        read("<Invoice><ID>1</ID>"),
        Err(ReadError::Missing(_)) | Err(ReadError::NotXml(_))
    ));
    let no_date = "<Invoice><ID>1</ID><DocumentCurrencyCode>DKK</DocumentCurrencyCode></Invoice>";
    assert!(matches!(read(no_date), Err(ReadError::Missing(_))));
    let bad_date = "<Invoice><ID>1</ID><IssueDate>31-12-2026</IssueDate><DocumentCurrencyCode>DKK</DocumentCurrencyCode></Invoice>";
    assert!(matches!(read(bad_date), Err(ReadError::NotADate(_))));
    let bad_amount = "<Invoice><ID>1</ID><IssueDate>2026-12-31</IssueDate><DocumentCurrencyCode>DKK</DocumentCurrencyCode>\
        <InvoiceLine><ID>1</ID><LineExtensionAmount>12,50</LineExtensionAmount></InvoiceLine></Invoice>";
    assert!(matches!(
        read(bad_amount),
        Err(ReadError::NotANumber { .. })
    ));
    assert!(matches!(
        read("<Invoice><ID>&bogus;</ID></Invoice>"),
        Err(ReadError::NotXml(_))
    ));
}

/// A citizen's data, as a caseworker might write it on an invoice.
const INJECTED: [&str; 4] = [
    "Jens Peter Hansen",
    "010203-1234",
    "jens.hansen@example.dk",
    "20 30 40 50",
];

/// `xml` with a note naming a citizen after its `IssueDate`, in that element's prefix.
fn with_citizen_note(xml: &str) -> Option<String> {
    let (end, prefix) = xml.match_indices("IssueDate>").find_map(|(end, _)| {
        let open = xml[..end].rfind('<')?;
        Some((end, xml[open..end].strip_prefix("</")?))
    })?;
    let at = end + "IssueDate>".len();
    let note = format!(
        "<{prefix}Note>Att. {}, CPR-nr. {}, mail {}, tlf. {}</{prefix}Note>",
        INJECTED[0], INJECTED[1], INJECTED[2], INJECTED[3]
    );
    Some(format!("{}{note}{}", &xml[..at], &xml[at..]))
}

#[test]
fn injected_citizen_data_never_reaches_the_document_and_business_values_stay() {
    let scrubber = skjold_scrub::Scrubber::new(skjold_scrub::Config {
        today: skjold_scrub::Date::new(2026, 12, 1),
        ..skjold_scrub::Config::default()
    })
    .expect("the scrubber builds");
    let mut checked = 0;
    for path in examples() {
        let raw = std::fs::read_to_string(&path).expect("readable");
        let Ok(before) = read(&raw) else { continue };
        let injected = with_citizen_note(&raw).expect("an IssueDate to write after");
        let out = super::anonymise::anonymise(&scrubber, injected.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let xml = String::from_utf8(out.xml.clone()).expect("UTF-8");
        let json = serde_json::to_string(&out.document).expect("serialises");
        for value in INJECTED {
            assert!(
                !xml.contains(value),
                "{}: {value} left in the XML",
                path.display()
            );
            assert!(!json.contains(value), "{}: {value} read", path.display());
        }
        assert!(
            out.review.iter().any(|r| matches!(
                r,
                skjold_core::invoices::review::ReviewReason::PersonalDataInFreeText { kinds, .. }
                    if kinds.iter().any(|k| k == "CPR")
            )),
            "{}: the note is not sent to review",
            path.display()
        );
        let after = &out.document;
        assert_eq!(
            (&after.id, after.issue_date, &after.currency, after.kind),
            (&before.id, before.issue_date, &before.currency, before.kind),
            "{}",
            path.display()
        );
        assert_eq!(after.declared_line_total, before.declared_line_total);
        assert_eq!(after.lines.len(), before.lines.len());
        for (a, b) in after.lines.iter().zip(&before.lines) {
            assert_eq!(
                (
                    a.amount,
                    a.quantity,
                    &a.unit_code,
                    &a.classification,
                    &a.gtin
                ),
                (
                    b.amount,
                    b.quantity,
                    &b.unit_code,
                    &b.classification,
                    &b.gtin
                ),
                "{}: line {}",
                path.display(),
                b.id
            );
        }
        checked += 1;
    }
    assert!(checked >= 120, "only {checked} documents checked");
}
