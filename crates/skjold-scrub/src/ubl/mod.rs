//! UBL 2.1 invoices and credit notes (OIOUBL 2.x and 3, PEPPOL BIS Billing 3, EHF), and,
//! for the few fields it knows, UN/CEFACT CII.
//!
//! # Design
//!
//! The document is read once with quick-xml's event reader (no tree is built), and the
//! result is a list of byte-range edits to the *original* bytes. Everything not edited
//! is copied as it was, so business data stays byte-identical by construction: same
//! namespace prefixes, same whitespace, same escaping. The input is held in memory (up
//! to [`crate::Config::max_xml_bytes`]); that is what makes the copy exact and lets a
//! party's name be replaced when the CPR identifier that marks it as a private person
//! comes later in the party.
//!
//! # What happens to each field
//!
//! | where | what |
//! |---|---|
//! | `cac:Contact` (and CII `DefinedTradeContact`): name, telephone, telefax, e-mail, other communication | replaced |
//! | `cac:Person` | every field replaced |
//! | an identifier with a CPR scheme (`schemeID="DK:CPR"`, …) | replaced, and its party becomes private |
//! | a customer-side party whose name the name detector reads as a person's (B2C) | private |
//! | private party: `PartyName/Name`, `RegistrationName`, postal and physical address | replaced |
//! | `cac:Delivery`: delivery address, delivery location address, delivery party name, contact and address (CII `ShipToTradeParty`) | replaced |
//! | `cac:CardAccount` number and holder, `cac:PaymentMandate` id and payer account | replaced |
//! | attention line (`cbc:MarkAttention`, outside a delivery), name on a payee's or payer's financial account | scanned, and replaced where they name a person ("Att. Diane Birk", "Peter Petersen"); a company's name is kept |
//! | free text: `Note`, `BuyerReference`, `AccountingCost`, `Description`, `DocumentDescription`, `PaymentNote`, `InstructionNote`, additional document reference `ID` (CII `Content`) | scanned by the text engine |
//! | an additional document reference whose description is a person's name, and whose `ID` is a date | `ID` replaced (it is a birth date: the EHF "nettleie" consumer examples) |
//! | `EmbeddedDocumentBinaryObject` | removed; with `keep_clean_attachments`, a text attachment in which scanning finds nothing is kept |
//! | `ext:UBLExtensions` (signatures) and everything else | unchanged |
//!
//! DTDs are refused (so no entity can be declared), as are undeclared entities; size and
//! nesting depth are limited. The output is re-parseable XML: replacements are escaped.

use std::collections::HashMap;

use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::{Error, ErrorKind};
use crate::kind::{Finding, Kind};
use crate::replace::Replacer;
use crate::scrubber::{Scrubber, apply};
use classify::{Leaf, classify, has};
use well_formed::{entity_char, xml_error};

/// What was done at one place in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UblAction {
    /// A structured personal-data field was replaced by a code.
    Replaced(Kind),
    /// Free text was scanned and these kinds were replaced in it.
    Scanned(Vec<Kind>),
    /// An embedded attachment was removed.
    AttachmentRemoved,
}

/// One entry of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UblReplacement {
    /// Where, as an XPath with the document's prefixes and 1-based positions.
    pub xpath: String,
    /// What was done.
    pub action: UblAction,
}

/// The scrubbed document and the report.
#[derive(Clone, Debug)]
pub struct UblOutput {
    /// The scrubbed XML.
    pub xml: Vec<u8>,
    /// Local name of the root element (`Invoice`, `CreditNote`, `CrossIndustryInvoice`, …).
    pub root: String,
    /// What was replaced and where, in document order.
    pub replacements: Vec<UblReplacement>,
}

struct Frame {
    local: String,
    xpath: String,
    children: HashMap<String, u32>,
    content_start: usize,
    tag_start: usize,
    has_child: bool,
    text: String,
    cpr_scheme: bool,
    mime: Option<String>,
}

/// A party (or CII trade party) being read.
#[derive(Default)]
struct PartyState {
    depth: usize,
    private: bool,
    deferred: Vec<Deferred>,
}

/// An edit decided at the end of the enclosing party or document reference.
struct Deferred {
    start: usize,
    end: usize,
    kind: Kind,
    text: String,
    xpath: String,
}

#[derive(Default)]
struct DocRefState {
    depth: usize,
    names_person: bool,
    date_id: Option<Deferred>,
}

fn local_of(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

fn escape_text(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn is_date(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl Scrubber {
    /// Scrubs one UBL (or CII) document. Codes are numbered per document (or keyed, if
    /// the config has a key).
    pub fn scrub_ubl(&self, input: &[u8]) -> Result<UblOutput, Error> {
        let cfg = self.config();
        if input.len() > cfg.max_xml_bytes {
            return Err(Error::new(
                ErrorKind::TooLarge {
                    limit: cfg.max_xml_bytes,
                },
                "",
            ));
        }
        let text = std::str::from_utf8(input)
            .map_err(|e| Error::with_source(ErrorKind::NotUtf8, "", e))?;
        let mut replacer = self.replacer();
        // quick-xml skips a byte-order mark without counting it in its positions; parse
        // after it and add its length back, so edits land on the original bytes.
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut reader = Reader::from_str(&text[base..]);
        let mut stack: Vec<Frame> = Vec::new();
        let mut parties: Vec<PartyState> = Vec::new();
        let mut docrefs: Vec<DocRefState> = Vec::new();
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut report: Vec<(usize, UblReplacement)> = Vec::new();
        let mut root: Option<String> = None;
        let mut root_children: HashMap<String, u32> = HashMap::new();
        loop {
            let before = base + reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| xml_error(&reader, e))?;
            let after = base + reader.buffer_position() as usize;
            match event {
                Event::DocType(_) => return Err(Error::new(ErrorKind::DtdRejected, "")),
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let empty = matches!(event, Event::Empty(_));
                    if stack.len() >= cfg.max_xml_depth {
                        return Err(Error::new(
                            ErrorKind::TooDeep {
                                limit: cfg.max_xml_depth,
                            },
                            "",
                        ));
                    }
                    if stack.is_empty() && root.is_some() {
                        return Err(Error::new(
                            ErrorKind::Xml {
                                position: before as u64,
                            },
                            "more than one root element",
                        ));
                    }
                    let frame =
                        self.open_frame(start, &mut stack, &mut root_children, before, after)?;
                    if root.is_none() {
                        root = Some(frame.local.clone());
                    }
                    if frame.local.ends_with("Party") {
                        parties.push(PartyState {
                            depth: stack.len() + 1,
                            ..PartyState::default()
                        });
                    }
                    if frame.local == "AdditionalDocumentReference" {
                        docrefs.push(DocRefState {
                            depth: stack.len() + 1,
                            ..DocRefState::default()
                        });
                    }
                    if let Some(parent) = stack.last_mut() {
                        parent.has_child = true;
                    }
                    stack.push(frame);
                    if empty {
                        let frame = stack.pop();
                        if let Some(frame) = frame {
                            self.close_frame(
                                frame,
                                &stack,
                                after,
                                after,
                                &mut parties,
                                &mut docrefs,
                                &mut edits,
                                &mut report,
                                &mut replacer,
                            );
                        }
                    }
                }
                Event::End(_) => {
                    let Some(frame) = stack.pop() else {
                        return Err(Error::new(
                            ErrorKind::Xml {
                                position: before as u64,
                            },
                            "unmatched end tag",
                        ));
                    };
                    self.close_frame(
                        frame,
                        &stack,
                        before,
                        after,
                        &mut parties,
                        &mut docrefs,
                        &mut edits,
                        &mut report,
                        &mut replacer,
                    );
                }
                Event::Text(t) => {
                    if let Some(f) = stack.last_mut()
                        && !f.has_child
                    {
                        f.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(c) => {
                    if let Some(f) = stack.last_mut()
                        && !f.has_child
                    {
                        f.text.push_str(&c.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let Some(ch) = entity_char(&r) else {
                        return Err(Error::new(ErrorKind::UnknownEntity, ""));
                    };
                    if let Some(f) = stack.last_mut()
                        && !f.has_child
                    {
                        f.text.push(ch);
                    }
                }
                Event::Eof => break,
                Event::Comment(c) => {
                    // Comments are not data, but authors put names in them ("Creator=
                    // Finn Christensen"): scan them like free text. Codes never hold "--".
                    let content = c.xml10_content();
                    let findings = self.find(&content);
                    if !findings.is_empty() && after >= before + 7 {
                        let scrubbed = apply(&content, &findings, &mut replacer);
                        edits.push((before + 4, after - 3, scrubbed.replace("--", "- -")));
                        let mut kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
                        kinds.sort();
                        kinds.dedup();
                        let parent = stack.last().map_or("", |f| f.xpath.as_str());
                        report.push((
                            before,
                            UblReplacement {
                                xpath: format!("{parent}/comment()"),
                                action: UblAction::Scanned(kinds),
                            },
                        ));
                    }
                }
                Event::Decl(_) | Event::PI(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(Error::new(
                ErrorKind::Xml {
                    position: text.len() as u64,
                },
                "unclosed elements at end of input",
            ));
        }
        let Some(root) = root else {
            return Err(Error::new(ErrorKind::NoRoot, ""));
        };
        edits.sort_by_key(|e| e.0);
        let mut xml = Vec::with_capacity(input.len());
        let mut pos = 0;
        for (s, e, rep) in &edits {
            if *s < pos {
                continue; // nested in an earlier edit (an attachment removed whole)
            }
            xml.extend_from_slice(&input[pos..*s]);
            xml.extend_from_slice(rep.as_bytes());
            pos = *e;
        }
        xml.extend_from_slice(&input[pos..]);
        report.sort_by_key(|(pos, _)| *pos);
        Ok(UblOutput {
            xml,
            root,
            replacements: report.into_iter().map(|(_, r)| r).collect(),
        })
    }

    fn open_frame(
        &self,
        start: &BytesStart<'_>,
        stack: &mut [Frame],
        root_children: &mut HashMap<String, u32>,
        tag_start: usize,
        content_start: usize,
    ) -> Result<Frame, Error> {
        let qname = start.name().as_ref().to_string();
        let local = local_of(&qname).to_string();
        let mut cpr_scheme = false;
        let mut mime = None;
        for attr in start.attributes() {
            let attr = attr.map_err(|e| {
                Error::with_source(
                    ErrorKind::Xml {
                        position: tag_start as u64,
                    },
                    "bad attribute",
                    e,
                )
            })?;
            let key = attr.key.local_name();
            let key: &str = key.as_ref();
            if key == "schemeID" || key == "schemeName" {
                let v = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| Error::with_source(ErrorKind::UnknownEntity, "", e))?;
                let v = v.to_ascii_uppercase();
                if v.contains("CPR") {
                    cpr_scheme = true;
                }
            }
            if key == "mimeCode" {
                mime = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.to_ascii_lowercase());
            }
        }
        let (parent_xpath, counts) = match stack.last_mut() {
            Some(p) => (p.xpath.as_str(), &mut p.children),
            None => ("", root_children),
        };
        let n = counts.entry(qname.clone()).or_insert(0);
        *n += 1;
        let xpath = format!("{parent_xpath}/{qname}[{n}]");
        Ok(Frame {
            local,
            xpath,
            children: HashMap::new(),
            content_start,
            tag_start,
            has_child: false,
            text: String::new(),
            cpr_scheme,
            mime,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn close_frame(
        &self,
        frame: Frame,
        stack: &[Frame],
        content_end: usize,
        tag_end: usize,
        parties: &mut Vec<PartyState>,
        docrefs: &mut Vec<DocRefState>,
        edits: &mut Vec<(usize, usize, String)>,
        report: &mut Vec<(usize, UblReplacement)>,
        replacer: &mut Replacer,
    ) {
        let depth = stack.len() + 1;
        let path: Vec<&str> = stack.iter().map(|f| f.local.as_str()).collect();
        let in_extensions = has(&path, "UBLExtensions");
        if frame.local == "EmbeddedDocumentBinaryObject" && !in_extensions {
            if !self.keep_attachment(&frame) {
                edits.push((frame.tag_start, tag_end, String::new()));
                report.push((
                    frame.tag_start,
                    UblReplacement {
                        xpath: frame.xpath.clone(),
                        action: UblAction::AttachmentRemoved,
                    },
                ));
            }
        } else if !frame.has_child && !frame.text.trim().is_empty() {
            let leaf = classify(&path, &frame.local, frame.cpr_scheme);
            let range = (frame.content_start, content_end);
            match leaf {
                Leaf::Keep => {}
                Leaf::Replace(kind) => {
                    if kind == Kind::Cpr
                        && let Some(p) = parties.last_mut()
                    {
                        p.private = true;
                    }
                    // "Value" in a contact's other communication may be an e-mail.
                    let kind = if kind == Kind::Phone && frame.text.contains('@') {
                        Kind::Email
                    } else {
                        kind
                    };
                    let code = replacer.code(kind, frame.text.trim());
                    edits.push((range.0, range.1, escape_text(&code)));
                    report.push((
                        range.0,
                        UblReplacement {
                            xpath: frame.xpath.clone(),
                            action: UblAction::Replaced(kind),
                        },
                    ));
                }
                Leaf::NamesPerson { party_address } => {
                    let findings = self.find(&frame.text);
                    if findings.iter().any(|f| f.kind == Kind::Person) {
                        let scrubbed = apply(&frame.text, &findings, replacer);
                        edits.push((range.0, range.1, escape_text(&scrubbed)));
                        report.push((range.0, scanned(&frame.xpath, &findings)));
                    } else if party_address && let Some(p) = parties.last_mut() {
                        p.deferred.push(Deferred {
                            start: range.0,
                            end: range.1,
                            kind: Kind::Address,
                            text: frame.text.trim().to_string(),
                            xpath: frame.xpath.clone(),
                        });
                    }
                }
                Leaf::Scan => {
                    let findings = self.find(&frame.text);
                    if !findings.is_empty() {
                        if let Some(d) = docrefs.last_mut()
                            && findings.iter().any(|f| f.kind == Kind::Person)
                        {
                            d.names_person = true;
                        }
                        let scrubbed = apply(&frame.text, &findings, replacer);
                        edits.push((range.0, range.1, escape_text(&scrubbed)));
                        report.push((range.0, scanned(&frame.xpath, &findings)));
                    }
                }
                Leaf::PartyPersonal(_) | Leaf::PartyName if parties.last().is_some() => {
                    let kind = match leaf {
                        Leaf::PartyPersonal(k) => k,
                        _ => Kind::Person,
                    };
                    // Supplier-side names are business data even when they read as a
                    // person's (a sole trader); only a CPR identifier makes them private.
                    let supplier_side = path.iter().any(|p| {
                        matches!(
                            *p,
                            "AccountingSupplierParty"
                                | "SellerSupplierParty"
                                | "PayeeParty"
                                | "TaxRepresentativeParty"
                                | "SellerTradeParty"
                                | "PayeeTradeParty"
                        )
                    });
                    if leaf == Leaf::PartyName
                        && !supplier_side
                        && self.is_person_name(&frame.text)
                        && let Some(p) = parties.last_mut()
                    {
                        p.private = true;
                    }
                    if let Some(p) = parties.last_mut() {
                        p.deferred.push(Deferred {
                            start: range.0,
                            end: range.1,
                            kind,
                            text: frame.text.trim().to_string(),
                            xpath: frame.xpath.clone(),
                        });
                    }
                }
                Leaf::PartyPersonal(_) | Leaf::PartyName => {}
                Leaf::DocRefId => {
                    if is_date(&frame.text) {
                        if let Some(d) = docrefs.last_mut() {
                            d.date_id = Some(Deferred {
                                start: range.0,
                                end: range.1,
                                kind: Kind::Person,
                                text: frame.text.trim().to_string(),
                                xpath: frame.xpath.clone(),
                            });
                        }
                    } else {
                        // Scan it like other free text.
                        let findings = self.find(&frame.text);
                        if !findings.is_empty() {
                            let scrubbed = apply(&frame.text, &findings, replacer);
                            edits.push((range.0, range.1, escape_text(&scrubbed)));
                            let mut kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
                            kinds.sort();
                            kinds.dedup();
                            report.push((
                                range.0,
                                UblReplacement {
                                    xpath: frame.xpath.clone(),
                                    action: UblAction::Scanned(kinds),
                                },
                            ));
                        }
                    }
                }
            }
        }
        // Close a party: apply its deferred edits if it is a private person.
        if parties.last().is_some_and(|p| p.depth == depth)
            && let Some(p) = parties.pop()
        {
            let private = p.private;
            if private {
                for d in p.deferred {
                    let code = replacer.code(d.kind, &d.text);
                    edits.push((d.start, d.end, escape_text(&code)));
                    report.push((
                        d.start,
                        UblReplacement {
                            xpath: d.xpath,
                            action: UblAction::Replaced(d.kind),
                        },
                    ));
                }
            }
            // A nested party inherits nothing; an enclosing one is unaffected.
        }
        if docrefs.last().is_some_and(|d| d.depth == depth)
            && let Some(d) = docrefs.pop()
            && let (true, Some(id)) = (d.names_person, d.date_id)
        {
            let code = replacer.code(id.kind, &id.text);
            edits.push((id.start, id.end, escape_text(&code)));
            report.push((
                id.start,
                UblReplacement {
                    xpath: id.xpath,
                    action: UblAction::Replaced(id.kind),
                },
            ));
        }
    }

    /// Whether a party name is a person's name: one PERSON finding covering most of it.
    fn is_person_name(&self, name: &str) -> bool {
        let trimmed = name.trim();
        let findings = self.find(trimmed);
        findings.len() == 1
            && findings[0].kind == Kind::Person
            && (findings[0].end - findings[0].start) * 10 >= trimmed.len() * 8
    }

    /// With `keep_clean_attachments`: keep a text attachment that decodes and scans clean.
    fn keep_attachment(&self, frame: &Frame) -> bool {
        if !self.config().keep_clean_attachments {
            return false;
        }
        let textual = frame.mime.as_deref().is_some_and(|m| {
            m.starts_with("text/")
                || m.ends_with("/xml")
                || m.ends_with("/json")
                || m.ends_with("+xml")
        });
        if !textual {
            return false;
        }
        let compact: String = frame.text.chars().filter(|c| !c.is_whitespace()).collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) else {
            return false;
        };
        let Ok(s) = String::from_utf8(bytes) else {
            return false;
        };
        self.find(&s).is_empty()
    }
}

mod classify;
pub mod well_formed;

#[cfg(test)]
pub(crate) mod tests;

/// The report of a scanned element: the kinds found in it, once each.
fn scanned(xpath: &str, findings: &[Finding]) -> UblReplacement {
    let mut kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    kinds.sort();
    kinds.dedup();
    UblReplacement {
        xpath: xpath.to_owned(),
        action: UblAction::Scanned(kinds),
    }
}
