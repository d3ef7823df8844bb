//! Callers over HTTP, against the real router in-process: an integration with an API
//! token, or a browser that signs in through the real forms (password, the second factor
//! from the demo's authenticator) and posts forms with its session's CSRF token.

use axum::Router;
use axum::http::{Method, StatusCode, header};
use serde_json::Value;

use super::World;
use super::http::{Reply, call, call_with, multipart, router};

/// How a caller proves who it is.
#[derive(Clone, Debug)]
enum Credentials {
    Token(String),
    Session { cookie: String, csrf: String },
}

/// Someone calling Skjold over HTTP.
#[derive(Clone)]
pub struct Caller {
    pub username: String,
    router: Router,
    credentials: Credentials,
}

const BOUNDARY: &str = "skjoldgraense";

fn cookie_value(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The value of the hidden form field `name` on a page.
pub fn form_field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

fn form_body(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("form")
}

impl World {
    /// An integration acting as `username`, with a fresh API token.
    pub async fn api(&self, username: &str) -> Caller {
        let token = self
            .app
            .create_api_token(username, "test")
            .await
            .expect("token");
        Caller {
            username: username.to_owned(),
            router: router(self),
            credentials: Credentials::Token(token),
        }
    }

    /// A browser signed in as `username` through the sign-in pages.
    pub async fn browser(&self, username: &str, password: &str) -> Caller {
        let router = router(self);
        let login = call(&router, Method::GET, "/login", None, None, None).await;
        let login_cookie = cookie_value(&login, "skjold_login").expect("login cookie");
        let login_csrf = form_field(&login.body, "login_csrf").expect("login form token");
        let posted = call(
            &router,
            Method::POST,
            "/login",
            None,
            Some(&format!("skjold_login={login_cookie}")),
            Some((
                "application/x-www-form-urlencoded",
                form_body(&[
                    ("username", username),
                    ("password", password),
                    ("login_csrf", &login_csrf),
                ]),
            )),
        )
        .await;
        assert_eq!(
            posted.status,
            StatusCode::SEE_OTHER,
            "{username}: {}",
            posted.body
        );
        let session = match cookie_value(&posted, "skjold_session") {
            Some(session) => session,
            None => {
                let pending = cookie_value(&posted, "skjold_pending").expect("pending sign-in");
                let cookie = format!("skjold_pending={pending}");
                let page = call(
                    &router,
                    Method::GET,
                    "/login/engangskode",
                    None,
                    Some(&cookie),
                    None,
                )
                .await;
                let csrf = form_field(&page.body, "csrf").expect("second-factor form token");
                let code = self.current_code(username).await;
                let done = call(
                    &router,
                    Method::POST,
                    "/login/engangskode",
                    None,
                    Some(&cookie),
                    Some((
                        "application/x-www-form-urlencoded",
                        form_body(&[("csrf", &csrf), ("code", &code)]),
                    )),
                )
                .await;
                cookie_value(&done, "skjold_session")
                    .unwrap_or_else(|| panic!("{username} is not signed in: {}", done.body))
            }
        };
        let cookie = format!("skjold_session={session}");
        // Any page of the signed-in user carries the session's form token (sign-out form).
        let home = call(
            &router,
            Method::GET,
            "/konto/adgangskode",
            None,
            Some(&cookie),
            None,
        )
        .await;
        let csrf = form_field(&home.body, "csrf").expect("session form token");
        Caller {
            username: username.to_owned(),
            router,
            credentials: Credentials::Session { cookie, csrf },
        }
    }
}

impl World {
    /// A citizen's browser, signed in through `provider` as its `person`th demo person
    /// (the order of [`World::citizen_provider`]): the whole flow, from the sign-in button
    /// through the provider's page and back. `None` when Skjold refuses the sign-in; the
    /// refusal page is in the second value.
    pub async fn citizen_browser(
        &self,
        provider: &std::sync::Arc<skjold_web::demo_mitid::DemoMitid>,
        person: usize,
    ) -> (Option<Caller>, Reply) {
        let router = router(self);
        let start = call(
            &router,
            Method::GET,
            "/borger/login/mitid",
            None,
            None,
            None,
        )
        .await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let location = start.headers[header::LOCATION].to_str().expect("location");
        let query = location.split_once('?').expect("query").1.to_owned();
        let sso = cookie_value(&start, "skjold_borger_sso").expect("state cookie");
        // The citizen picks themself at the provider, which sends the browser back.
        let chosen = call(
            &provider.clone().routes(),
            Method::POST,
            "/demo-mitid/authorize",
            None,
            None,
            Some((
                "application/x-www-form-urlencoded",
                format!("{query}&person={person}"),
            )),
        )
        .await;
        let back = chosen.headers[header::LOCATION].to_str().expect("back");
        let back = back
            .strip_prefix("https://skjold.example")
            .expect("back to Skjold")
            .to_owned();
        let cookie = format!("skjold_borger_sso={sso}");
        let done = call(&router, Method::GET, &back, None, Some(&cookie), None).await;
        let Some(session) = cookie_value(&done, "skjold_borger") else {
            return (None, done);
        };
        let cookie = format!("skjold_borger={session}");
        let home = call(&router, Method::GET, "/borger/", None, Some(&cookie), None).await;
        let csrf = form_field(&home.body, "csrf").expect("citizen's form token");
        let caller = Caller {
            username: format!("borger-{person}"),
            router,
            credentials: Credentials::Session { cookie, csrf },
        };
        (Some(caller), done)
    }
}

impl Caller {
    /// The session's CSRF token (browsers only).
    pub fn csrf(&self) -> &str {
        match &self.credentials {
            Credentials::Session { csrf, .. } => csrf,
            Credentials::Token(_) => "",
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<(&str, String)>) -> Reply {
        match &self.credentials {
            Credentials::Token(token) => {
                call(&self.router, method, path, Some(token), None, body).await
            }
            Credentials::Session { cookie, .. } => {
                call(&self.router, method, path, None, Some(cookie), body).await
            }
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    /// A `DELETE` without a body.
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// A JSON body (integrations).
    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(("application/json", body.to_string())),
        )
        .await
    }

    /// A JSON body with more request headers (an integration's `Idempotency-Key`).
    pub async fn post_json_with(
        &self,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let (token, cookie) = match &self.credentials {
            Credentials::Token(token) => (Some(token.as_str()), None),
            Credentials::Session { cookie, .. } => (None, Some(cookie.as_str())),
        };
        let body = Some(("application/json", body.to_string()));
        call_with(
            &self.router,
            Method::POST,
            path,
            token,
            cookie,
            headers,
            body,
        )
        .await
    }

    /// A body of another content type (an e-invoice as `application/xml`).
    pub async fn post_body(&self, path: &str, content_type: &str, body: String) -> Reply {
        self.send(Method::POST, path, Some((content_type, body)))
            .await
    }

    /// A JSON body sent with `PUT` (a replacement).
    pub async fn put_json(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::PUT,
            path,
            Some(("application/json", body.to_string())),
        )
        .await
    }

    /// A JSON body sent with `PATCH` (a change of the fields named).
    pub async fn patch_json(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::PATCH,
            path,
            Some(("application/json", body.to_string())),
        )
        .await
    }

    /// A form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf())];
        all.extend_from_slice(fields);
        self.send(
            Method::POST,
            path,
            Some(("application/x-www-form-urlencoded", form_body(&all))),
        )
        .await
    }

    /// A multipart form (a message), the CSRF token first, with at most one file.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let mut all = vec![("csrf", self.csrf())];
        all.extend_from_slice(fields);
        self.send(
            Method::POST,
            path,
            Some((
                &format!("multipart/form-data; boundary={BOUNDARY}"),
                multipart(BOUNDARY, &all, file),
            )),
        )
        .await
    }
}

impl Reply {
    /// The API's error code, when the reply is an error in the API's shape.
    pub fn error_code(&self) -> Option<String> {
        let v: Value = serde_json::from_str(&self.body).ok()?;
        v["error"]["code"].as_str().map(str::to_owned)
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts an error answer in the documented shape with this status and code.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.error_code().as_deref(), Some(code), "{}", self.body);
    }
}
