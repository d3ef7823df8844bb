//! The API's contract: the OpenAPI document is kept as a snapshot, so that every change to
//! the API shows in review; and every operation lists the statuses it can answer.
//!
//! After an intended change, `SKJOLD_UPDATE_SNAPSHOTS=1 cargo test -p skjold-scenarios
//! api_doc` writes the new snapshot.

use serde_json::Value;
use utoipa::OpenApi;

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/scenarios/snapshots/openapi.json"
);

fn document() -> Value {
    serde_json::to_value(skjold_web::ApiDoc::openapi()).expect("the document is JSON")
}

#[test]
fn openapi_document_matches_its_snapshot() {
    let now = serde_json::to_string_pretty(&document()).expect("json") + "\n";
    if std::env::var_os("SKJOLD_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &now).expect("write the snapshot");
        return;
    }
    let kept = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        kept == now,
        "the OpenAPI document changed; if that is intended, run \
         SKJOLD_UPDATE_SNAPSHOTS=1 cargo test -p skjold-scenarios api_doc and review the diff"
    );
}

#[test]
fn every_operation_lists_the_statuses_it_can_answer() {
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let statuses: Vec<&str> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(String::as_str)
                .collect();
            // One success: 200, or 201 where the operation creates (a citizen, an item).
            assert!(
                statuses.contains(&"200") || statuses.contains(&"201"),
                "{method} {path} lists no success: {statuses:?}"
            );
            let mut must = vec!["401"];
            if op["operationId"] != "me" {
                must.push("403");
            }
            if op.get("requestBody").is_some() {
                must.extend(["400", "413", "415", "422"]);
            }
            if path.contains('{') {
                must.push("404");
            }
            for status in must {
                assert!(
                    statuses.contains(&status),
                    "{method} {path} does not list {status}: {statuses:?}"
                );
            }
            for status in statuses.iter().filter(|s| !["200", "201"].contains(*s)) {
                let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status} is not in the error shape"
                );
            }
            operations += 1;
        }
    }
    assert!(operations >= 39, "{operations}");
}
