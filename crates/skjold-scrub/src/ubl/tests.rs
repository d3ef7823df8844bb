//! Tests of the UBL path: unit cases on small documents, and the whole example corpus
//! in `shared/data/invoices` checked against an oracle written independently of the
//! classification rules in `ubl.rs`.

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::well_formed::check_well_formed;
use super::*;
use crate::scrubber::Config;
use crate::validate::Date;

fn scrubber(keep: bool) -> Scrubber {
    Scrubber::new(Config {
        today: Some(Date {
            year: 2026,
            month: 6,
            day: 1,
        }),
        keep_clean_attachments: keep,
        ..Config::default()
    })
    .expect("scrubber")
}

/// `<manifest>/../../../shared/data`, the project's shared test data beside the
/// workspace. In CI (`CI` set) a missing folder fails the test; on a developer's fresh
/// clone without it, the test says so and passes nothing off as checked.
pub(crate) fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "test data directory {} is missing: CI needs the project's shared/ folder next to the workspace",
        p.display()
    );
    eprintln!(
        "skipped: {} is missing (the shared/ folder beside the workspace)",
        p.display()
    );
    None
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
}

/// A leaf element as the oracle sees it.
#[derive(Debug)]
struct OLeaf {
    path: Vec<String>,
    scheme: String,
    /// Index of the nearest enclosing `…Party` element, if any.
    party: Option<usize>,
    text: String,
}

/// Leaves of a document in order, without embedded attachments; and which parties carry
/// a CPR identifier.
fn leaves(xml: &[u8]) -> (Vec<OLeaf>, Vec<bool>) {
    let text = std::str::from_utf8(xml).expect("utf8");
    let mut r = Reader::from_str(text);
    let mut path: Vec<(String, String, bool, String, Option<usize>)> = Vec::new();
    let mut out = Vec::new();
    let mut party_cpr: Vec<bool> = Vec::new();
    loop {
        match r.read_event().expect("parse") {
            Event::Start(s) => {
                let q = s.name().as_ref().to_string();
                let local = q.rsplit(':').next().unwrap_or(&q).to_string();
                let mut scheme = String::new();
                for a in s.attributes().flatten() {
                    let k = a.key.local_name();
                    if AsRef::<str>::as_ref(&k) == "schemeID" {
                        scheme = a
                            .normalized_value(XmlVersion::Implicit1_0)
                            .expect("attr")
                            .into_owned();
                    }
                }
                if let Some(last) = path.last_mut() {
                    last.2 = true;
                }
                let mut party = path.last().and_then(|p| p.4);
                if local.ends_with("Party") {
                    party_cpr.push(false);
                    party = Some(party_cpr.len() - 1);
                }
                if scheme.to_ascii_uppercase().contains("CPR")
                    && let Some(p) = party
                {
                    party_cpr[p] = true;
                }
                path.push((local, scheme, false, String::new(), party));
            }
            Event::Empty(_) => {
                if let Some(last) = path.last_mut() {
                    last.2 = true;
                }
            }
            Event::Text(t) => {
                if let Some(last) = path.last_mut() {
                    last.3.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(last) = path.last_mut() {
                    last.3.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(last) = path.last_mut() {
                    last.3.push_str(&format!("&{};", g.xml10_content()));
                }
            }
            Event::End(_) => {
                let (local, scheme, has_child, text, party) = path.pop().expect("balanced");
                // Whitespace-only leaves are skipped: removing an attachment leaves an
                // empty `cac:Attachment` behind, which is not a field.
                if !has_child && local != "EmbeddedDocumentBinaryObject" && !text.trim().is_empty()
                {
                    let mut p: Vec<String> = path.iter().map(|f| f.0.clone()).collect();
                    p.push(local);
                    out.push(OLeaf {
                        path: p,
                        scheme,
                        party,
                        text,
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (out, party_cpr)
}

fn is_code(s: &str) -> bool {
    let s = s.trim();
    s.starts_with('[') && s.ends_with(']') && s.len() > 2
}

const ADDRESS_LEAVES: &[&str] = &[
    "StreetName",
    "AdditionalStreetName",
    "BuildingNumber",
    "CityName",
    "PostalZone",
    "Line",
];

/// The people named in the example invoices' attention lines and account names.
const PEOPLE_IN_INVOICES: &[&str] = &[
    "Diane Birk",
    "Janni Andersen",
    "Keld Thomsen",
    "Per Damsgaard",
    "Peter Jensen",
    "Peter Petersen",
    "Hans Hansen",
];

/// The oracle's idea of "must be replaced".
fn must_replace(l: &OLeaf, party_cpr: &[bool]) -> bool {
    let has = |n: &str| l.path.iter().any(|p| p == n);
    let leaf = l.path.last().map(String::as_str).unwrap_or("");
    if has("UBLExtensions") {
        return false;
    }
    let cpr_party = l.party.is_some_and(|p| party_cpr[p]);
    l.scheme.to_ascii_uppercase().contains("CPR")
        || (has("Contact") && ["Name", "Telephone", "Telefax", "ElectronicMail"].contains(&leaf))
        || has("Person")
        || (has("DefinedTradeContact") && ["PersonName", "CompleteNumber", "URIID"].contains(&leaf))
        || (has("Delivery")
            && (has("DeliveryAddress") || (has("DeliveryLocation") && has("Address")))
            && ADDRESS_LEAVES.contains(&leaf))
        || (has("DeliveryParty") && has("PartyName") && leaf == "Name")
        || (cpr_party && ((has("PartyName") && leaf == "Name") || leaf == "RegistrationName"))
        || (cpr_party && has("PostalAddress") && ADDRESS_LEAVES.contains(&leaf))
}

/// The oracle's idea of "business data: must stay identical".
fn must_keep(l: &OLeaf, party_cpr: &[bool]) -> bool {
    let has = |n: &str| l.path.iter().any(|p| p == n);
    let leaf = l.path.last().map(String::as_str).unwrap_or("");
    if l.scheme.to_ascii_uppercase().contains("CPR") || has("Person") || has("Contact") {
        return false;
    }
    let cpr_party = l.party.is_some_and(|p| party_cpr[p]);
    leaf.ends_with("Amount")
        || leaf.ends_with("Quantity")
        || leaf.ends_with("Date")
        || leaf == "Percent"
        || [
            "DocumentCurrencyCode",
            "InvoiceTypeCode",
            "CreditNoteTypeCode",
            "CustomizationID",
            "ProfileID",
            "ItemClassificationCode",
            "TaxExemptionReasonCode",
        ]
        .contains(&leaf)
        || (l.path.len() == 2 && leaf == "ID")
        || (has("Item") && leaf == "Name")
        || ((has("SellersItemIdentification") || has("StandardItemIdentification")) && leaf == "ID")
        || ((has("OrderReference") || has("ContractDocumentReference")) && leaf == "ID")
        || (has("PayeeFinancialAccount") && leaf == "ID")
        || (!cpr_party && (leaf == "CompanyID" || leaf == "EndpointID"))
        || (!cpr_party && has("PartyIdentification") && leaf == "ID")
        || (!cpr_party && has("AccountingSupplierParty") && has("PartyName") && leaf == "Name")
        || (has("TaxCategory") && leaf == "ID")
}

#[test]
fn every_example_invoice_scrubs_with_business_data_kept_and_personal_data_replaced() {
    let Some(data) = shared_data() else { return };
    let dir = data.join("invoices");
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    files.sort();
    assert!(
        files.len() >= 160,
        "expected the whole invoice corpus, found {} files",
        files.len()
    );
    let s = scrubber(false);
    let (mut replaced, mut kept) = (0usize, 0usize);
    for f in &files {
        let name = f.display().to_string();
        let input = std::fs::read(f).expect("read");
        let out = s
            .scrub_ubl(&input)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_well_formed(&out.xml)
            .unwrap_or_else(|e| panic!("{name}: output not well-formed: {e}"));
        let (a, party_cpr) = leaves(&input);
        let (b, _) = leaves(&out.xml);
        assert_eq!(a.len(), b.len(), "{name}: leaf count changed");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.path, y.path, "{name}: structure changed");
            if x.text.trim().is_empty() {
                continue;
            }
            if must_replace(x, &party_cpr) {
                assert!(
                    is_code(&y.text) && y.text != x.text,
                    "{name}: {} not replaced",
                    x.path.join("/")
                );
                replaced += 1;
            } else if must_keep(x, &party_cpr) {
                assert_eq!(
                    x.text,
                    y.text,
                    "{name}: business field {} changed",
                    x.path.join("/")
                );
                kept += 1;
            }
        }
        // Attention lines and account names that name a person lose the name.
        for (x, y) in a.iter().zip(&b) {
            let leaf = x.path.last().map(String::as_str).unwrap_or("");
            let parent = x.path.iter().rev().nth(1).map(String::as_str).unwrap_or("");
            let named = (leaf == "MarkAttention" && !x.path.iter().any(|p| p == "Delivery"))
                || (leaf == "Name" && parent == "PayeeFinancialAccount");
            if !named {
                continue;
            }
            for person in PEOPLE_IN_INVOICES {
                if x.text.contains(person) {
                    assert!(
                        !y.text.contains(person),
                        "{name}: {} kept {person}",
                        x.path.join("/")
                    );
                    replaced += 1;
                }
            }
            for company in ["Falck Hjælpemidler A/S", "AccountName", "Bankkonto"] {
                if x.text.contains(company) {
                    assert!(y.text.contains(company), "{name}: {company} replaced");
                }
            }
        }
        let out_text = String::from_utf8_lossy(&out.xml);
        assert!(
            !out_text.contains("EmbeddedDocumentBinaryObject") || !out_text.contains("JVBERi0"),
            "{name}: a PDF attachment survived"
        );
        if name.contains("COMORG_03_03_00") {
            assert!(
                !out_text.contains("1807670000") && !out_text.contains("Hans Clientsen"),
                "{name}: CPR person leaked"
            );
        }
    }
    println!(
        "invoices: {} files, {replaced} personal fields replaced, {kept} business fields unchanged",
        files.len()
    );
    // The oracle must have had something to check.
    assert!(replaced > 300, "only {replaced} personal fields checked");
    assert!(kept > 3000, "only {kept} business fields checked");
}

#[test]
fn output_outside_edits_is_byte_identical() {
    let xml = "<?xml version=\"1.0\"?>\n<Invoice xmlns:cbc=\"c\" xmlns:cac=\"a\">\r\n  <cbc:ID>A&amp;B 1</cbc:ID><!-- Creator= Finn Christensen -->\n  <cac:AccountingCustomerParty><cac:Party>\n    <cac:PartyName><cbc:Name>Hans Clientsen</cbc:Name></cac:PartyName>\n    <cac:PostalAddress><cbc:StreetName>Fredericiavej</cbc:StreetName></cac:PostalAddress>\n    <cac:PartyLegalEntity><cbc:CompanyID schemeID=\"DK:CPR\">1807670000</cbc:CompanyID></cac:PartyLegalEntity>\n    <cac:Contact><cbc:Telephone>15812337</cbc:Telephone><cbc:ElectronicMail>a&amp;b@x.dk</cbc:ElectronicMail></cac:Contact>\n  </cac:Party></cac:AccountingCustomerParty>\n  <cbc:Note><![CDATA[Ring til Mette Hansen på 27 87 38 85 <straks>]]></cbc:Note>\n  <cac:AdditionalDocumentReference><cbc:ID>x</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode=\"text/plain\" filename=\"a.txt\">aGVq</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>\n  <cbc:PayableAmount currencyID=\"DKK\">100.00</cbc:PayableAmount>\n</Invoice>\n";
    let out = scrubber(false).scrub_ubl(xml.as_bytes()).expect("scrub");
    let got = String::from_utf8(out.xml.clone()).expect("utf8");
    let expected = "<?xml version=\"1.0\"?>\n<Invoice xmlns:cbc=\"c\" xmlns:cac=\"a\">\r\n  <cbc:ID>A&amp;B 1</cbc:ID><!-- Creator= [NAVN-1] -->\n  <cac:AccountingCustomerParty><cac:Party>\n    <cac:PartyName><cbc:Name>[NAVN-2]</cbc:Name></cac:PartyName>\n    <cac:PostalAddress><cbc:StreetName>[ADRESSE-1]</cbc:StreetName></cac:PostalAddress>\n    <cac:PartyLegalEntity><cbc:CompanyID schemeID=\"DK:CPR\">[CPR-1]</cbc:CompanyID></cac:PartyLegalEntity>\n    <cac:Contact><cbc:Telephone>[TELEFON-1]</cbc:Telephone><cbc:ElectronicMail>[EMAIL-1]</cbc:ElectronicMail></cac:Contact>\n  </cac:Party></cac:AccountingCustomerParty>\n  <cbc:Note>Ring til [NAVN-3] på [TELEFON-2] &lt;straks&gt;</cbc:Note>\n  <cac:AdditionalDocumentReference><cbc:ID>x</cbc:ID><cac:Attachment></cac:Attachment></cac:AdditionalDocumentReference>\n  <cbc:PayableAmount currencyID=\"DKK\">100.00</cbc:PayableAmount>\n</Invoice>\n";
    assert_eq!(got, expected);
    check_well_formed(&out.xml).expect("well-formed");
    assert_eq!(out.root, "Invoice");
    let paths: Vec<&str> = out.replacements.iter().map(|r| r.xpath.as_str()).collect();
    assert!(paths.contains(&"/Invoice[1]/cac:AccountingCustomerParty[1]/cac:Party[1]/cac:PartyLegalEntity[1]/cbc:CompanyID[1]"));
    assert!(
        out.replacements
            .iter()
            .any(|r| r.action == UblAction::AttachmentRemoved)
    );
    // With the option, a clean text attachment ("hej") is kept.
    let kept = scrubber(true).scrub_ubl(xml.as_bytes()).expect("scrub");
    assert!(String::from_utf8_lossy(&kept.xml).contains(">aGVq<"));
}

#[test]
fn hostile_documents_are_refused() {
    let s = scrubber(false);
    let dtd = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>";
    assert_eq!(
        s.scrub_ubl(dtd.as_bytes()).expect_err("dtd").kind(),
        &ErrorKind::DtdRejected
    );
    let ent = "<x>&a;</x>";
    assert_eq!(
        s.scrub_ubl(ent.as_bytes()).expect_err("entity").kind(),
        &ErrorKind::UnknownEntity
    );
    let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    assert!(matches!(
        s.scrub_ubl(deep.as_bytes()).expect_err("deep").kind(),
        ErrorKind::TooDeep { .. }
    ));
    let small = Scrubber::new(Config {
        max_xml_bytes: 10,
        ..Config::default()
    })
    .expect("scrubber");
    assert!(matches!(
        small
            .scrub_ubl(b"<x>12345678901</x>")
            .expect_err("big")
            .kind(),
        ErrorKind::TooLarge { .. }
    ));
    assert!(matches!(
        s.scrub_ubl(b"<a><b></a>").expect_err("mismatch").kind(),
        ErrorKind::Xml { .. }
    ));
    assert!(matches!(
        s.scrub_ubl(b"<a>").expect_err("unclosed").kind(),
        ErrorKind::Xml { .. }
    ));
    assert_eq!(
        s.scrub_ubl(b"").expect_err("empty").kind(),
        &ErrorKind::NoRoot
    );
    assert_eq!(
        s.scrub_ubl(&[0xff, 0xfe]).expect_err("utf8").kind(),
        &ErrorKind::NotUtf8
    );
}

#[test]
fn fuzz_corpus_replays_without_panic() {
    // The seed corpus of the cargo-fuzz target (and any crashes committed there later).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/ubl");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(files.len() >= 5, "seed corpus missing in {}", dir.display());
    let s = scrubber(true);
    let mut ok = 0;
    for f in files {
        let data = std::fs::read(&f).expect("read");
        if let Ok(out) = s.scrub_ubl(&data) {
            check_well_formed(&out.xml)
                .unwrap_or_else(|e| panic!("{}: output not well-formed: {e}", f.display()));
            ok += 1;
        }
    }
    assert!(ok >= 3, "the valid seeds must scrub");
}

#[test]
fn attention_lines_and_account_names_lose_a_persons_name_only() {
    let xml = "<Invoice xmlns:cbc=\"c\" xmlns:cac=\"a\">\
        <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Region Syd</cbc:Name></cac:PartyName>\
        <cac:PostalAddress><cbc:StreetName>Damhaven</cbc:StreetName><cbc:MarkAttention>Sofie Lindqvist</cbc:MarkAttention></cac:PostalAddress></cac:Party></cac:AccountingCustomerParty>\
        <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Nordtryk ApS</cbc:Name></cac:PartyName>\
        <cac:PostalAddress><cbc:MarkAttention>Bogholderiet</cbc:MarkAttention></cac:PostalAddress></cac:Party></cac:AccountingSupplierParty>\
        <cac:PaymentMeans><cac:PayeeFinancialAccount><cbc:ID>DK5000400440116243</cbc:ID><cbc:Name>Henrik Wulff</cbc:Name>\
        <cac:FinancialInstitutionBranch><cbc:Name>Danske Bank</cbc:Name></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount></cac:PaymentMeans>\
        <cac:PaymentMeans><cac:PayeeFinancialAccount><cbc:Name>Nordtryk ApS</cbc:Name></cac:PayeeFinancialAccount></cac:PaymentMeans>\
        <cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:MarkAttention>Indkøb</cbc:MarkAttention></cac:Address></cac:DeliveryLocation></cac:Delivery>\
        </Invoice>";
    let out = scrubber(false).scrub_ubl(xml.as_bytes()).expect("scrub");
    let got = String::from_utf8(out.xml).expect("utf8");
    assert!(!got.contains("Sofie Lindqvist"), "{got}");
    assert!(!got.contains("Henrik Wulff"), "{got}");
    assert!(got.contains("<cbc:MarkAttention>[NAVN-"), "{got}");
    for kept in [
        "Region Syd",
        "Damhaven",
        "Bogholderiet",
        "Danske Bank",
        "<cbc:Name>Nordtryk ApS</cbc:Name></cac:PayeeFinancialAccount>",
        "DK5000400440116243",
    ] {
        assert!(got.contains(kept), "{kept} changed: {got}");
    }
    // In a delivery address the attention line is address data, as before.
    assert!(!got.contains("Indkøb"), "{got}");
}
