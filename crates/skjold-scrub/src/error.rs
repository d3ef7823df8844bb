//! The crate's one error type.
//!
//! Modelled on `regex_automata::meta::BuildError`: a struct over a kind, so the set of
//! causes can grow without breaking callers. Messages never contain scanned content,
//! only positions and limits, because the content is personal data.

use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing failed.
    Io,
    /// The input is not UTF-8.
    NotUtf8,
    /// The input is larger than the configured limit (bytes).
    TooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Elements are nested deeper than the configured limit.
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// The document has a DTD (`<!DOCTYPE …>`); DTDs and entity declarations are
    /// refused so entity expansion cannot be abused.
    DtdRejected,
    /// An entity reference other than the five predefined ones or a character reference.
    UnknownEntity,
    /// The XML is not well-formed.
    Xml {
        /// Byte offset where the parser stopped.
        position: u64,
    },
    /// The document has no root element.
    NoRoot,
    /// A JSONL line is not an object with `id` and `text` (1-based line number).
    BadJsonLine {
        /// 1-based line number.
        line: usize,
    },
    /// The pseudonymisation key is empty.
    EmptyKey,
    /// A built-in pattern failed to compile (a bug in this crate).
    Build,
}

/// An error from the scrubber.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    detail: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Error {
            kind,
            detail: detail.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        kind: ErrorKind,
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error {
            kind,
            detail: detail.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The cause.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io => write!(f, "I/O error")?,
            ErrorKind::NotUtf8 => write!(f, "input is not valid UTF-8")?,
            ErrorKind::TooLarge { limit } => {
                write!(f, "input exceeds the size limit of {limit} bytes")?
            }
            ErrorKind::TooDeep { limit } => {
                write!(f, "XML nesting exceeds the depth limit of {limit}")?
            }
            ErrorKind::DtdRejected => {
                write!(f, "XML with a DTD or entity declarations is refused")?
            }
            ErrorKind::UnknownEntity => write!(f, "XML uses an undeclared entity")?,
            ErrorKind::Xml { position } => {
                write!(f, "XML is not well-formed (at byte {position})")?
            }
            ErrorKind::NoRoot => write!(f, "XML has no root element")?,
            ErrorKind::BadJsonLine { line } => write!(
                f,
                "line {line} is not a JSON object with \"id\" and \"text\""
            )?,
            ErrorKind::EmptyKey => write!(f, "the pseudonymisation key is empty")?,
            ErrorKind::Build => write!(f, "a built-in pattern failed to compile")?,
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::with_source(ErrorKind::Io, String::new(), e)
    }
}
