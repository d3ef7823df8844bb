//! Who is calling, once the session or the token has been checked.

use skjold_core::Actor;
use skjold_core::citizen_view::Citizen;

/// A signed-in browser user. Once admitted, a copy rides in the request's extensions, so
/// that a page's later extractors can answer a refusal in the user's layout.
#[derive(Clone)]
pub struct WebUser {
    pub actor: Actor,
    /// The session's CSRF token, which every form posts back.
    pub csrf: String,
    /// The session's secret (to end it on signing out).
    pub token: String,
}

/// An API caller, from a bearer token.
pub struct ApiUser(pub Actor);

/// A citizen signed in to their own view.
pub struct CitizenUser {
    pub citizen: Citizen,
    /// The session's CSRF token, which every form posts back.
    pub csrf: String,
    /// The session's secret (to end it on signing out).
    pub token: String,
}
