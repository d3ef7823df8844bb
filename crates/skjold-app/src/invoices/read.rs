//! Reads a UBL invoice or credit note (OIOUBL 2.x and 3, PEPPOL BIS 3, EHF) into a
//! [`Document`]: one pass over the XML, matching elements by their local names, so the
//! flavours' namespace prefixes do not matter. Lines nested in lines (`SubInvoiceLine`) are
//! part of their parent line's amount and are not read as lines of their own.

use std::str::FromStr;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use skjold_core::invoices::document::{
    Classification, Document, DocumentKind, Line, Party, ReportedEmission, Scheme,
};
use skjold_core::time::Date;
use skjold_scrub::ubl::well_formed::entity_char;

/// Why a file is not an invoice the analyses can take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("filen er ikke gyldig XML: {0}")]
    NotXml(String),
    #[error("dokumentet er et {0}, ikke en faktura eller kreditnota")]
    NotAnInvoice(String),
    #[error("dokumentet mangler {0}")]
    Missing(&'static str),
    #[error("{field} er ikke et tal: «{value}»")]
    NotANumber { field: &'static str, value: String },
    #[error("udstedelsesdatoen er ikke en dato: «{0}»")]
    NotADate(String),
}

#[derive(Default)]
struct LineDraft {
    id: Option<String>,
    quantity: Option<Decimal>,
    unit_code: Option<String>,
    amount: Option<Decimal>,
    item_name: Option<String>,
    description: Option<String>,
    gtin: Option<String>,
    seller_item_id: Option<String>,
    classification: Option<Classification>,
    factor: Option<Decimal>,
    net_emission: Option<Decimal>,
    /// The `AdditionalItemProperty` being read: its name, then its value.
    property: (Option<String>, Option<String>),
}

#[derive(Default)]
struct Draft {
    kind: Option<DocumentKind>,
    id: Option<String>,
    issue_date: Option<String>,
    currency: Option<String>,
    supplier: PartyDraft,
    buyer: PartyDraft,
    contract_reference: Option<String>,
    declared_line_total: Option<Decimal>,
    /// The first amount's `currencyID`, for documents without a `DocumentCurrencyCode`
    /// (UBL 2.0).
    amount_currency: Option<String>,
    lines: Vec<Line>,
    line: Option<LineDraft>,
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

fn attribute(start: &BytesStart<'_>, wanted: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| {
            let key = a.key.local_name();
            let key: &str = key.as_ref();
            key == wanted
        })
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.trim().to_owned())
}

fn number(field: &'static str, text: &str) -> Result<Decimal, ReadError> {
    Decimal::from_str(text.trim()).map_err(|_| ReadError::NotANumber {
        field,
        value: text.trim().chars().take(40).collect(),
    })
}

fn set_once(slot: &mut Option<String>, text: &str) {
    let text = text.trim();
    if slot.is_none() && !text.is_empty() {
        *slot = Some(text.to_owned());
    }
}

/// A party as read: its name, and its identifiers apart, best first: the legal
/// registration, the VAT registration, the electronic address.
#[derive(Default)]
struct PartyDraft {
    name: Option<String>,
    registration: Option<String>,
    vat: Option<String>,
    endpoint: Option<String>,
}

impl PartyDraft {
    /// An element below `…Party/Party` ended.
    fn end(&mut self, path: &[&str], text: &str, attrs: &Attrs) {
        let slot = match path {
            ["PartyName", "Name"] => &mut self.name,
            ["PartyLegalEntity", "RegistrationName"] if self.name.is_none() => &mut self.name,
            ["PartyLegalEntity", "CompanyID"] => &mut self.registration,
            ["PartyTaxScheme", "CompanyID"] => &mut self.vat,
            ["EndpointID"] => &mut self.endpoint,
            _ => return,
        };
        let text = match (path, attrs.scheme_id.as_deref()) {
            (
                [
                    "PartyName" | "PartyLegalEntity",
                    "Name" | "RegistrationName",
                ],
                _,
            )
            | (_, None | Some("")) => text.to_owned(),
            (_, Some(scheme)) => format!("{scheme}:{}", text.trim()),
        };
        set_once(slot, &text);
    }

    fn finish(self) -> Party {
        Party {
            name: self.name,
            id: self.registration.or(self.vat).or(self.endpoint),
        }
    }
}

impl Draft {
    /// An element of the document ended: `path` from below the root, with its text and
    /// the attributes read at its start.
    fn end(&mut self, path: &[&str], text: &str, attrs: &Attrs) -> Result<(), ReadError> {
        if let Some(currency) = &attrs.currency_id {
            set_once(&mut self.amount_currency, currency);
        }
        match path {
            ["ID"] => set_once(&mut self.id, text),
            ["IssueDate"] => set_once(&mut self.issue_date, text),
            ["DocumentCurrencyCode"] => set_once(&mut self.currency, text),
            ["ContractDocumentReference", "ID"] => set_once(&mut self.contract_reference, text),
            ["LegalMonetaryTotal", "LineExtensionAmount"] => {
                self.declared_line_total = Some(number("LineExtensionAmount", text)?);
            }
            ["AccountingSupplierParty", "Party", rest @ ..] => self.supplier.end(rest, text, attrs),
            ["AccountingCustomerParty", "Party", rest @ ..] => self.buyer.end(rest, text, attrs),
            ["InvoiceLine" | "CreditNoteLine"] => {
                if let Some(l) = self.line.take() {
                    self.lines.push(finish_line(l)?);
                }
            }
            ["InvoiceLine" | "CreditNoteLine", rest @ ..] => {
                if let Some(line) = self.line.as_mut() {
                    read_line(line, rest, text, attrs)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn read_line(
    line: &mut LineDraft,
    path: &[&str],
    text: &str,
    attrs: &Attrs,
) -> Result<(), ReadError> {
    match path {
        ["ID"] => set_once(&mut line.id, text),
        ["InvoicedQuantity" | "CreditedQuantity"] => {
            line.quantity = Some(number("InvoicedQuantity", text)?);
            line.unit_code = attrs.unit_code.clone();
        }
        ["LineExtensionAmount"] => line.amount = Some(number("LineExtensionAmount", text)?),
        ["Item", "Name"] => set_once(&mut line.item_name, text),
        ["Item", "Description"] => set_once(&mut line.description, text),
        ["Item", "StandardItemIdentification", "ID"] => set_once(&mut line.gtin, text),
        ["Item", "SellersItemIdentification", "ID"] => set_once(&mut line.seller_item_id, text),
        ["Item", "CommodityClassification", "ItemClassificationCode"] => {
            let scheme = Scheme::from_list_id(attrs.list_id.as_deref().unwrap_or_default());
            let better = match &line.classification {
                None => true,
                Some(c) => c.scheme == Scheme::Other && scheme != Scheme::Other,
            };
            if better && !text.trim().is_empty() {
                line.classification = Some(Classification {
                    scheme,
                    code: text.trim().to_owned(),
                });
            }
        }
        ["Item", "AdditionalItemProperty", "Name"] => line.property.0 = Some(text.trim().into()),
        ["Item", "AdditionalItemProperty", "Value"] => line.property.1 = Some(text.trim().into()),
        ["Item", "AdditionalItemProperty"] => {
            if let (Some(name), Some(value)) = std::mem::take(&mut line.property) {
                match name.as_str() {
                    "EmissionFactor" => line.factor = Some(number("EmissionFactor", &value)?),
                    "NetEmissionQuantity" => {
                        line.net_emission = Some(number("NetEmissionQuantity", &value)?)
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn finish_line(l: LineDraft) -> Result<Line, ReadError> {
    Ok(Line {
        id: l.id.unwrap_or_default(),
        quantity: l.quantity.unwrap_or(Decimal::ONE),
        unit_code: l.unit_code,
        amount: l
            .amount
            .ok_or(ReadError::Missing("linjebeløb (LineExtensionAmount)"))?,
        item_name: l.item_name.or(l.description),
        gtin: l.gtin,
        seller_item_id: l.seller_item_id,
        classification: l.classification,
        emission: (l.factor.is_some() || l.net_emission.is_some()).then_some(ReportedEmission {
            factor: l.factor,
            net_quantity: l.net_emission,
        }),
    })
}

/// The attributes the reader uses, taken at an element's start.
#[derive(Default, Clone)]
struct Attrs {
    unit_code: Option<String>,
    list_id: Option<String>,
    scheme_id: Option<String>,
    currency_id: Option<String>,
}

impl Attrs {
    fn of(start: &BytesStart<'_>) -> Attrs {
        Attrs {
            unit_code: attribute(start, "unitCode"),
            list_id: attribute(start, "listID"),
            scheme_id: attribute(start, "schemeID"),
            currency_id: attribute(start, "currencyID"),
        }
    }
}

/// Reads an invoice or credit note.
pub fn read(xml: &str) -> Result<Document, ReadError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut draft = Draft::default();
    // Below the root: each open element's local name, attributes and text so far.
    let mut open: Vec<(String, Attrs, String)> = Vec::new();
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ReadError::NotXml(e.to_string()))?;
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let name = local(s.name().as_ref());
                let empty = matches!(event, Event::Empty(_));
                if !root_seen {
                    root_seen = true;
                    draft.kind = Some(match name.as_str() {
                        "Invoice" => DocumentKind::Invoice,
                        "CreditNote" => DocumentKind::CreditNote,
                        _ => return Err(ReadError::NotAnInvoice(name)),
                    });
                    if empty {
                        break;
                    }
                    continue;
                }
                if open.is_empty() && (name == "InvoiceLine" || name == "CreditNoteLine") {
                    draft.line = Some(LineDraft::default());
                }
                open.push((name, Attrs::of(s), String::new()));
                if empty {
                    close(&mut draft, &mut open)?;
                }
            }
            Event::Text(t) => {
                if let Some(top) = open.last_mut() {
                    top.2.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = open.last_mut() {
                    top.2.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                // Entity references (&amp;, &#246;) between pieces of text.
                let Some(c) = entity_char(&r) else {
                    let name = r.xml10_content();
                    return Err(ReadError::NotXml(format!("ukendt entitet &{name};")));
                };
                if let Some(top) = open.last_mut() {
                    top.2.push(c);
                }
            }
            Event::End(_) => {
                if open.is_empty() {
                    break;
                }
                close(&mut draft, &mut open)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let kind = draft.kind.ok_or(ReadError::Missing("et rodelement"))?;
    let issue_date = draft
        .issue_date
        .ok_or(ReadError::Missing("udstedelsesdato (IssueDate)"))?;
    Ok(Document {
        kind,
        id: draft.id.ok_or(ReadError::Missing("fakturanummer (ID)"))?,
        issue_date: Date::from_str(&issue_date).map_err(|_| ReadError::NotADate(issue_date))?,
        currency: draft
            .currency
            .or(draft.amount_currency)
            .ok_or(ReadError::Missing("valuta (DocumentCurrencyCode)"))?,
        supplier: draft.supplier.finish(),
        buyer: draft.buyer.finish(),
        contract_reference: draft.contract_reference,
        declared_line_total: draft.declared_line_total,
        lines: draft.lines,
    })
}

/// Closes the innermost open element.
fn close(draft: &mut Draft, open: &mut Vec<(String, Attrs, String)>) -> Result<(), ReadError> {
    let Some((name, attrs, text)) = open.pop() else {
        return Ok(());
    };
    let path: Vec<&str> = open
        .iter()
        .map(|(n, _, _)| n.as_str())
        .chain([name.as_str()])
        .collect();
    draft.end(&path, &text, &attrs)
}
