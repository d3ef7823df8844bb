//! `skjold bench log-page`: the privacy officer's access-log page over a large log. With
//! this many synthetic entries over the past year (written in bulk, outside the Merkle
//! tree), the time to serve the page over HTTP: the first page, the next one, and the
//! first page filtered by a citizen and by a user. Each request is a logged read, so the
//! log's own growth is part of what is measured.
//!
//! Figures with 1 000 000 entries (debug build, 2 cores shared with a running build, so
//! upper bounds), median of 10 requests; the target is under 200 ms for the first page:
//!
//! | backend    | first page | next page | one citizen | one user |
//! |------------|------------|-----------|-------------|----------|
//! | SQLite     | 32 ms      | 30 ms     | 370 ms      | 44 ms    |
//! | PostgreSQL | 25 ms      | 22 ms     | 35 ms       | 35 ms    |
//!
//! Each page is 101 table rows and about 47 kB. The count stops at 10 000, so the first
//! page does not grow with the log. On SQLite a citizen with about 5 000 entries pays for
//! counting them and ordering them by time.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use skjold_app::bench::{FillParty, FillPlan, Scratch};

use super::ms;

pub async fn run(log_entries: u64, runs: usize, database_url: Option<String>) -> Result<()> {
    if log_entries == 0 || runs == 0 {
        bail!("--log and --runs must be positive");
    }
    let scratch = Scratch::new(database_url.as_deref()).await;
    let result = figures(&scratch, log_entries, runs).await;
    let backend = scratch.backend();
    scratch.cleanup().await;
    let (log_total, cases) = result?;
    println!("bench log-page: the access log's page over HTTP, as the privacy officer ({backend})");
    println!("  records     {log_total} access-log entries over the past year");
    for (name, times, bytes, rows) in cases {
        println!(
            "  {name:<11} median {:.1} ms, max {:.1} ms over {runs} requests; {rows} rows, {bytes} bytes",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
        );
    }
    Ok(())
}

type Case = (&'static str, Vec<Duration>, usize, usize);

async fn figures(scratch: &Scratch, log_entries: u64, runs: usize) -> Result<(u64, Vec<Case>)> {
    let app = &scratch.app;
    eprintln!("Bygger demo på {} …", scratch.backend());
    let demo = app.build_demo_base(200).await?;
    let subjects: Vec<uuid::Uuid> = demo.citizens.iter().map(|c| c.id).collect();
    let mut parties = Vec::new();
    for (username, weight) in [
        ("sagsbehandler", 400),
        ("sagsbehandler2", 400),
        ("mentorhuset", 100),
        ("praktikpartner", 80),
        ("dpo", 20),
    ] {
        let a = app.named_user(username).await?;
        parties.push(FillParty {
            user_id: a.user_id,
            organisation_id: a.organisation_id,
            weight,
            subjects: 0..subjects.len(),
        });
    }
    let until = app.now();
    let plan = FillPlan {
        parties,
        subjects: subjects.clone(),
        from: until.plus_seconds(-365 * 86_400),
        until,
        entries: log_entries,
    };
    eprintln!("Skriver {log_entries} syntetiske poster i adgangsloggen …");
    let chunk = (log_entries / 10).clamp(10_000, 1_000_000);
    let started = Instant::now();
    let mut next = 0;
    while next < log_entries {
        let end = (next + chunk).min(log_entries);
        scratch.fill_access_log(&plan, next..end).await?;
        next = end;
        eprintln!(
            "  {next} / {log_entries} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    scratch.analyze().await?;
    let log_total = app.access_log_len().await?;

    let dpo = app.named_user("dpo").await?;
    let session = app.bench_staff_session(&dpo).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(skjold_web::serve(
        listener,
        app.clone(),
        skjold_web::WebConfig::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::new();
    let cookie = format!("skjold_session={session}");
    let get = async |path: &str| -> Result<String> {
        let reply = http
            .get(format!("{base}{path}"))
            .header("cookie", &cookie)
            .send()
            .await?;
        if !reply.status().is_success() {
            bail!("{path} answered {}", reply.status());
        }
        Ok(reply.text().await?)
    };
    // Where the second page starts: the first page's link to it.
    let first = get("/tilsyn/adgangslog").await?;
    let Some(next_page) = first
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/tilsyn/adgangslog?") && h.contains("after="))
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
    else {
        bail!("the first page has no link to the next");
    };
    let citizen = format!("/tilsyn/adgangslog?subject={}", subjects[7]);
    let mut cases = Vec::new();
    for (name, path) in [
        ("first page", "/tilsyn/adgangslog"),
        ("next page", next_page.as_str()),
        ("one citizen", citizen.as_str()),
        ("one user", "/tilsyn/adgangslog?username=sagsbehandler"),
    ] {
        let mut times = Vec::with_capacity(runs);
        let mut page = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            page = get(path).await?;
            times.push(started.elapsed());
        }
        times.sort();
        let rows = page.matches("<tr>").count();
        cases.push((name, times, page.len(), rows));
    }
    let _ = stop.send(());
    let _ = server.await;
    Ok((log_total, cases))
}
