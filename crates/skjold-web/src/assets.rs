//! Static assets, embedded in the binary: the vendored design system and Skjold's own CSS.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub async fn serve(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => crate::layout::boundary_page(crate::i18n::Boundary::NoRoute),
    }
}
