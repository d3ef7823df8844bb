//! A witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint`, answered with
//! the cosignature lines (200) or the protocol's refusal (400, 403, 404, 409 with the
//! witness's size as `text/x.tlog.size`, 422). The witness's decision and state are
//! [`WitnessService`]'s; this is only the HTTP around it.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use skjold_app::witnesses::WitnessService;

/// The largest request: 63 proof lines and a checkpoint with many signatures fit well.
const MAX_REQUEST: usize = 64 * 1024;

/// The witness's routes.
pub fn witness_router(service: Arc<WitnessService>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(service)
}

async fn add_checkpoint(State(service): State<Arc<WitnessService>>, body: Bytes) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "the request is not UTF-8\n").into_response();
    };
    match service.add_checkpoint(text).await {
        Ok(lines) => (StatusCode::OK, plain(), lines).into_response(),
        Err((status, body)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let kind = if status == StatusCode::CONFLICT {
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/x.tlog.size"),
                )]
            } else {
                plain()
            };
            (status, kind, body).into_response()
        }
    }
}

fn plain() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    )]
}
