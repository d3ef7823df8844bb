//! Words at the edge: the store and the application refuse with a [`Problem`] (a code and
//! its parameters); this module words it for the reader. Each language is one file with an
//! exhaustive `match`, so a new problem does not compile until every language has its text.
//!
//! The UI is Danish. The API answers in the language of `Accept-Language` among those
//! here, Danish by default. Norwegian bokmål (for procurement in Norway) is a new variant
//! and a new file beside these.

pub(crate) mod citizen;
mod da;
mod en;

pub(crate) use da::rights;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use skjold_core::Problem;

/// A language Skjold speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    /// The first language in `Accept-Language` that Skjold speaks, by the caller's order
    /// of preference (`q`); Danish when none is.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::Da;
        };
        let mut offered: Vec<(f32, Lang)> = value
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';').map(str::trim);
                let tag = pieces.next()?.to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| p.strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next().unwrap_or_default();
                let lang = match primary {
                    "da" => Lang::Da,
                    "en" => Lang::En,
                    _ => return None,
                };
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // A stable sort keeps the caller's order among equal weights.
        offered.sort_by(|a, b| b.0.total_cmp(&a.0));
        offered.first().map_or(Lang::Da, |(_, lang)| *lang)
    }
}

/// The problem as a sentence in `lang`.
pub fn problem(p: &Problem, lang: Lang) -> String {
    match lang {
        Lang::Da => da::problem(p),
        Lang::En => en::problem(p),
    }
}

/// The name of a kind of sign-in event in the report, in Danish.
pub fn sign_in_event(kind: &str) -> &'static str {
    da::sign_in_event(kind)
}

/// What went wrong at the HTTP boundary itself, before any use case was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// No such address.
    NoRoute,
    /// The address is there; the method is not.
    MethodNotAllowed,
    /// The body is not JSON, or not the JSON the operation takes.
    MalformedBody,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the operation takes.
    TooLarge,
    /// Signed in, but the session or token is not accepted.
    Unauthenticated,
    /// The server failed; the details are in its log.
    Internal,
}

/// The boundary's words.
pub fn boundary(b: Boundary, lang: Lang) -> &'static str {
    match (lang, b) {
        (Lang::Da, Boundary::NoRoute) => "Siden eller adressen findes ikke.",
        (Lang::Da, Boundary::MethodNotAllowed) => "Adressen tager ikke imod denne metode.",
        (Lang::Da, Boundary::MalformedBody) => "Forespørgslens indhold kunne ikke læses.",
        (Lang::Da, Boundary::UnsupportedMediaType) => {
            "Forespørgslens indhold skal være JSON (Content-Type: application/json)."
        }
        (Lang::Da, Boundary::TooLarge) => "Forespørgslen er for stor.",
        (Lang::Da, Boundary::Unauthenticated) => {
            "Log ind, eller send en gyldig API-nøgle (Authorization: Bearer …)."
        }
        (Lang::Da, Boundary::Internal) => "Der skete en intern fejl. Prøv igen senere.",
        (Lang::En, Boundary::NoRoute) => "There is no such page or address.",
        (Lang::En, Boundary::MethodNotAllowed) => "The address does not take this method.",
        (Lang::En, Boundary::MalformedBody) => "The request's body could not be read.",
        (Lang::En, Boundary::UnsupportedMediaType) => {
            "The request's body must be JSON (Content-Type: application/json)."
        }
        (Lang::En, Boundary::TooLarge) => "The request is too large.",
        (Lang::En, Boundary::Unauthenticated) => {
            "Sign in, or send a valid API token (Authorization: Bearer …)."
        }
        (Lang::En, Boundary::Internal) => "An internal error occurred. Please try again later.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn lang_of(value: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).expect("header"),
        );
        Lang::from_headers(&h)
    }

    #[test]
    fn the_callers_preference_decides_among_the_languages_spoken() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Da);
        assert_eq!(lang_of("en"), Lang::En);
        assert_eq!(lang_of("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(lang_of("de, en;q=0.5, da;q=0.8"), Lang::Da);
        assert_eq!(lang_of("fr"), Lang::Da);
        assert_eq!(lang_of("en;q=0"), Lang::Da);
    }

    #[test]
    fn every_language_words_a_problem() {
        let p = Problem::OrderNotFound;
        assert_ne!(problem(&p, Lang::Da), problem(&p, Lang::En));
        assert!(!problem(&p, Lang::En).is_empty());
    }
}
