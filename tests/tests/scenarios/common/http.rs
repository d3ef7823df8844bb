//! Calls into the real router, in-process: the replies a browser or an integration gets.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::World;

pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    /// The text of the page's `<title>`, as sent (not unescaped).
    pub fn title(&self) -> Option<&str> {
        let start = self.body.find("<title>")? + "<title>".len();
        let end = self.body[start..].find("</title>")?;
        Some(&self.body[start..start + end])
    }
}

pub async fn call(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
    body: Option<(&str, String)>,
) -> Reply {
    call_with(router, method, path, token, cookie, &[], body).await
}

/// [`call`] with more request headers.
pub async fn call_with(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match body {
        Some((ct, b)) => req.header(header::CONTENT_TYPE, ct).body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

pub fn router(w: &World) -> Router {
    skjold_web::router(w.app.clone(), skjold_web::WebConfig::default())
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A `multipart/form-data` body with text fields and at most one file.
pub fn multipart(boundary: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    if let Some((filename, bytes)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{filename}\"\r\nContent-Type: text/html\r\n\r\n{}\r\n",
            String::from_utf8_lossy(bytes)
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}
