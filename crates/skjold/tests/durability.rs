//! An access-log entry is acknowledged only once it is durable: the server is killed with
//! SIGKILL at random moments under load, a hundred times and more, and after every restart
//! each acknowledged read has its entry and the log verifies.
//!
//! `SKJOLD_KILL_ROUNDS` sets the number of kills (default 100). On SQLite, and on
//! PostgreSQL when `SKJOLD_TEST_POSTGRES_URL` is set (required under `CI=true`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::Rng;
use uuid::Uuid;

use skjold_app::bench::Scratch;
use skjold_app::oversight::OversightQuery;
use skjold_app::{App, Location};

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the suite uses, from the environment `.ci/run` sets.
fn postgres_url() -> Option<String> {
    std::env::var("SKJOLD_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Where the data lives: the data directory (key file, and the SQLite file unless `url`
/// names a PostgreSQL database).
struct Place<'a> {
    dir: &'a Path,
    url: Option<&'a str>,
}

impl Place<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_skjold"));
        c.args(args).arg("--data-dir").arg(self.dir);
        match self.url {
            Some(url) => c.env("SKJOLD_DATABASE_URL", url),
            None => c.env_remove("SKJOLD_DATABASE_URL"),
        };
        c.env_remove("SKJOLD_MASTER_KEY");
        c
    }

    /// The installation the server left behind, with the server's own keys (its
    /// checkpoints must verify).
    async fn app(&self) -> App {
        App::open(&Location {
            data_dir: self.dir.to_owned(),
            database_url: self.url.map(str::to_owned),
            ..Location::default()
        })
        .await
        .expect("the server's data")
    }
}

fn skjold(place: &Place<'_>, args: &[&str]) -> String {
    let out = place
        .command(args)
        .stderr(Stdio::null())
        .output()
        .expect("run skjold");
    assert!(out.status.success(), "skjold {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts the server and waits until it answers.
async fn start(place: &Place<'_>) -> (std::process::Child, String) {
    let port = free_port();
    let mut child = place
        .command(&["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..1000 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status().is_success()
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// Allowed views of each citizen in the log, read from the auditor's export (the export
/// itself is logged as oversight, not as a view).
async fn logged_views(place: &Place<'_>, cprs: &[String]) -> Vec<usize> {
    let app = place.app().await;
    let auditor = app.named_user("revisor").await.expect("auditor");
    let mut counts = Vec::new();
    for cpr in cprs {
        let q = OversightQuery {
            cpr: Some(cpr.clone()),
            ..OversightQuery::default()
        };
        let export = app
            .export_access_log(&auditor, &q, "jsonl")
            .await
            .expect("the citizen's log");
        let lines = std::str::from_utf8(&export.bytes).expect("utf-8");
        let views = lines
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
            .filter(|l| {
                l["type"] == "entry"
                    && l["entry"]["use_kind"] == "view"
                    && l["entry"]["outcome"] == "allowed"
            })
            .count();
        counts.push(views);
    }
    app.close().await;
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_entries_survive_sigkill_sqlite() {
    survives_sigkill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_entries_survive_sigkill_postgres() {
    if postgres_url().is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the PostgreSQL suite: set SKJOLD_TEST_POSTGRES_URL"
        );
        return;
    }
    survives_sigkill(Backend::Postgres).await;
}

async fn survives_sigkill(backend: Backend) {
    let rounds: usize = std::env::var("SKJOLD_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("skjold-kill-{}-{backend:?}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // On PostgreSQL, a fresh database that the server's commands then use.
    let pg = match backend {
        Backend::Postgres => Some(Scratch::new(postgres_url().as_deref()).await),
        Backend::Sqlite => None,
    };
    let url = pg.as_ref().and_then(Scratch::postgres_url);
    let place = Place {
        dir: &dir,
        url: url.as_deref(),
    };
    let demo = skjold(&place, &["demo", "--no-serve", "--citizens", "20"]);
    let cprs: Vec<String> = demo
        .lines()
        .filter_map(|l| {
            l.rsplit("CPR-nummer ")
                .next()
                .filter(|_| l.contains("CPR-nummer"))
        })
        .map(str::to_owned)
        .collect();
    assert_eq!(cprs.len(), 3, "{demo}");
    let token = skjold(&place, &["token", "create", "--user", "sagsbehandler"])
        .trim()
        .to_owned();

    let (mut server, base) = start(&place).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for cpr in &cprs {
        let body = client
            .post(format!("{base}/api/v1/citizens/search"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(serde_json::json!({ "cpr": cpr }).to_string())
            .send()
            .await
            .expect("search")
            .text()
            .await
            .expect("body");
        let found: serde_json::Value = serde_json::from_str(&body).expect("json");
        ids.push(Uuid::parse_str(found["id"].as_str().expect("id")).expect("uuid"));
    }
    server.kill().expect("kill");
    server.wait().expect("reap");

    let acked: Arc<Vec<AtomicUsize>> = Arc::new(ids.iter().map(|_| AtomicUsize::new(0)).collect());
    let mut rng = rand::thread_rng();
    for round in 0..rounds {
        let (mut server, base) = start(&place).await;
        let client = reqwest::Client::new();
        let mut load = Vec::new();
        for worker in 0..16 {
            let (client, base, token, ids, acked) = (
                client.clone(),
                base.clone(),
                token.clone(),
                ids.clone(),
                acked.clone(),
            );
            load.push(tokio::spawn(async move {
                for n in worker.. {
                    let i = n % ids.len();
                    let res = client
                        .get(format!("{base}/api/v1/citizens/{}", ids[i]))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().is_success() => {
                            // Acknowledged: the data arrived, so the entry was durable.
                            if r.bytes().await.is_ok() {
                                acked[i].fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        _ => break,
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(20..250))).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reap");
        for task in load {
            task.await.expect("load task");
        }
        let logged = logged_views(&place, &cprs).await;
        for (i, n) in logged.iter().enumerate() {
            let a = acked[i].load(Ordering::SeqCst);
            assert!(
                *n >= a,
                "round {round}: citizen {i} has {n} entries for {a} acknowledged views"
            );
        }
    }
    let total: usize = acked.iter().map(|a| a.load(Ordering::SeqCst)).sum();
    assert!(total > rounds, "the load acknowledged {total} views");
    eprintln!("{backend:?}: {rounds} kills, {total} acknowledged views, every one in the log");

    let app = place.app().await;
    let report = app.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    app.close().await;
    if let Some(pg) = pg {
        pg.cleanup().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
