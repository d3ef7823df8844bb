//! Pages anyone may read, signed in or not: the accessibility statement
//! (*tilgængelighedserklæring*, which Danish public websites must publish) and the privacy
//! notice for staff users (what Skjold records about them). Each says only what the code
//! does; change them with it.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;

use super::{Layout, render, signed_in_user};
use crate::AppState;

/// When the accessibility statement was last written (update it with the statement).
const STATEMENT_DATE: &str = "1. december 2026";

#[derive(Template)]
#[template(path = "about/accessibility.html")]
struct AccessibilityPage {
    layout: Layout,
    date: &'static str,
}

#[derive(Template)]
#[template(path = "about/privacy.html")]
struct PrivacyPage {
    layout: Layout,
}

/// The page's layout: the menu of the staff user signed in, if one is.
pub struct Reader(Layout);

impl FromRequestParts<AppState> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        Ok(Reader(match signed_in_user(state, parts).await {
            Some(u) => Layout::for_user(&u, &path),
            None => Layout::anonymous(),
        }))
    }
}

pub async fn accessibility(State(_): State<AppState>, Reader(layout): Reader) -> Response {
    render(&AccessibilityPage {
        layout,
        date: STATEMENT_DATE,
    })
}

pub async fn privacy(State(_): State<AppState>, Reader(layout): Reader) -> Response {
    render(&PrivacyPage { layout })
}
