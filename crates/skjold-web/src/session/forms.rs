//! Forms from signed-in users: the CSRF token is checked before anything else is read.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use skjold_app::threads::uploads::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Upload};
use skjold_core::Problem;

use super::{CitizenUser, WebUser, tokens_match};
use crate::AppState;
use crate::layout::error_page;

const MAX_FORM_BYTES: usize = 256 * 1024;

/// Room for the allowed attachments and the text around them.
pub const MAX_MULTIPART_BYTES: usize = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024;

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

fn refused(user: &WebUser, p: Problem) -> Response {
    error_page(Some(user), p.into())
}

/// A form from a signed-in user whose CSRF token matched; the form is parsed only then.
pub struct CsrfForm<T>(pub WebUser, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| refused(&user, Problem::FormTooLarge))?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        if !tokens_match(&field.csrf, &user.csrf) {
            return Err(refused(&user, Problem::CsrfMismatch));
        }
        let form: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refused(&user, Problem::FormInvalid(e.to_string())))?;
        Ok(CsrfForm(user, form))
    }
}

/// A form from a signed-in citizen whose CSRF token matched; parsed only then.
pub struct CitizenForm<T>(pub CitizenUser, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CitizenForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = CitizenUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| error_page(None, Problem::FormTooLarge.into()))?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        if !tokens_match(&field.csrf, &user.csrf) {
            return Err(error_page(None, Problem::CsrfMismatch.into()));
        }
        let form: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| error_page(None, Problem::FormInvalid(e.to_string()).into()))?;
        Ok(CitizenForm(user, form))
    }
}

/// A multipart form (a message with files) from a signed-in user. The `csrf` field must
/// come first and match before any file is read; text fields and files are returned apart.
pub struct CsrfMultipart(pub WebUser, pub MultipartForm);

#[derive(Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl MultipartForm {
    /// A message form's text and, when given, the sender's confirmation for the guard.
    pub fn message(&self) -> (String, Option<&str>) {
        let body = self.fields.get("body").cloned().unwrap_or_default();
        let confirmation = self
            .fields
            .get("confirmation")
            .map(String::as_str)
            .filter(|c| !c.trim().is_empty());
        (body, confirmation)
    }
}

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let unreadable =
            |user: &WebUser, what: &str| refused(user, Problem::FormInvalid(what.to_owned()));
        let req = Request::from_parts(
            parts,
            axum::body::Body::new(http_body_util::Limited::new(body, MAX_MULTIPART_BYTES)),
        );
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| unreadable(&user, "multipart"))?;
        let mut form = MultipartForm::default();
        let mut csrf_ok = false;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(refused(&user, Problem::FormTooLarge)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if !csrf_ok {
                let value = field.text().await.unwrap_or_default();
                if name != "csrf" || !tokens_match(&value, &user.csrf) {
                    return Err(refused(&user, Problem::CsrfMismatch));
                }
                csrf_ok = true;
                continue;
            }
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| unreadable(&user, &filename))?;
                    // A file input left empty arrives as a nameless, empty part.
                    if !(filename.is_empty() && bytes.is_empty()) {
                        form.files.push(Upload {
                            filename,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let value = field.text().await.map_err(|_| unreadable(&user, &name))?;
                    form.fields.insert(name, value);
                }
            }
        }
        if !csrf_ok {
            return Err(refused(&user, Problem::CsrfMismatch));
        }
        Ok(CsrfMultipart(user, form))
    }
}
