//! What an upload or an import holds: UBL files as they are, or zips of them (the XML
//! files inside, anywhere in the archive; other entries are passed over). A zip is read
//! within limits, so that a small archive cannot unpack into more than the service takes.

use std::io::{Cursor, Read, Write};

use skjold_core::Problem;

use crate::AppError;

/// Documents in one upload, zips unpacked.
pub const MAX_DOCUMENTS: usize = 20_000;
/// One document, unpacked.
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;

/// A file as it came: its name (for errors and reports) and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// A zip's XML files (named `archive.zip/inner.xml`), or the file itself; the reason in
/// Danish when a zip cannot be used.
pub fn expand_one(upload: Upload) -> Result<Vec<Upload>, String> {
    if !is_zip(&upload.bytes) {
        return Ok(vec![upload]);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(&upload.bytes))
        .map_err(|e| format!("{}: ikke en gyldig zip-fil ({e})", upload.name))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("{}: post {i} kan ikke læses ({e})", upload.name))?;
        let inner = entry
            .name()
            .map_err(|e| format!("{}: post {i} har et ugyldigt navn ({e})", upload.name))?
            .into_owned();
        if entry.is_dir()
            || inner.starts_with("__MACOSX/")
            || !inner.to_ascii_lowercase().ends_with(".xml")
        {
            continue;
        }
        if out.len() >= MAX_DOCUMENTS {
            return Err(format!(
                "{}: mere end {MAX_DOCUMENTS} dokumenter",
                upload.name
            ));
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}/{inner}: kan ikke pakkes ud ({e})", upload.name))?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "{}/{inner}: større end {} MB pakket ud",
                upload.name,
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ));
        }
        out.push(Upload {
            name: format!("{}/{inner}", upload.name),
            bytes,
        });
    }
    Ok(out)
}

/// Every upload expanded; refused (nothing kept) when a zip cannot be used, when there
/// are more documents than an upload takes, or none at all.
pub fn expand(uploads: Vec<Upload>) -> Result<Vec<Upload>, AppError> {
    let mut out = Vec::with_capacity(uploads.len());
    for u in uploads {
        out.append(
            &mut expand_one(u).map_err(|why| AppError::Refused(Problem::InvoiceArchive(why)))?,
        );
        if out.len() > MAX_DOCUMENTS {
            return Err(AppError::Refused(Problem::InvoiceArchive(format!(
                "mere end {MAX_DOCUMENTS} dokumenter i én sending"
            ))));
        }
    }
    if out.is_empty() {
        return Err(AppError::Refused(Problem::NoInvoices));
    }
    Ok(out)
}

/// A zip of `entries` (name, bytes), deflated.
pub fn zip_of<'a>(entries: impl Iterator<Item = (String, &'a [u8])>) -> Result<Vec<u8>, AppError> {
    let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("zip: {e}"));
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(name, options).map_err(|e| internal(&e))?;
        w.write_all(bytes).map_err(|e| internal(&e))?;
    }
    Ok(w.finish().map_err(|e| internal(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn a_zip_round_trips_and_only_its_xml_files_count() {
        let zip = zip_of(
            [
                ("a.xml".to_owned(), &b"<Invoice/>"[..]),
                ("sub/b.XML".to_owned(), &b"<CreditNote/>"[..]),
                ("readme.txt".to_owned(), &b"hej"[..]),
            ]
            .into_iter(),
        )
        .expect("zips");
        let out = expand(vec![
            upload("fakturaer.zip", &zip),
            upload("c.xml", b"<Invoice/>"),
        ])
        .expect("expands");
        let names: Vec<&str> = out.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            names,
            ["fakturaer.zip/a.xml", "fakturaer.zip/sub/b.XML", "c.xml"]
        );
        assert_eq!(out[1].bytes, b"<CreditNote/>");
    }

    #[test]
    fn a_broken_zip_and_an_empty_upload_are_refused() {
        let err = expand(vec![upload("x.zip", b"PK\x03\x04garbage")]).expect_err("broken");
        assert!(matches!(err, AppError::Refused(Problem::InvoiceArchive(_))));
        let err = expand(Vec::new()).expect_err("empty");
        assert!(matches!(err, AppError::Refused(Problem::NoInvoices)));
    }
}
