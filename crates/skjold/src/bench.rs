//! `skjold bench`: measurements that print figures. Each run builds its own throw-away
//! demo database, so it never touches real data.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use rand::Rng;

use skjold_app::App;
use skjold_app::bench::{Scratch, log_figures};
use skjold_core::orders::NewOrder;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// A supplier reads an order over the JSON API (access-log write included).
    Reads {
        /// Concurrent clients.
        #[arg(long, default_value_t = 100)]
        clients: usize,
        /// How long to measure, after a warm-up of a tenth of that.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Orders to spread the reads over.
        #[arg(long, default_value_t = 50)]
        orders: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Secure messages: messages sent per second, and the latency of opening a thread
    /// (decrypting it and writing its access-log entry).
    Messages {
        /// Messages to send, spread over the threads.
        #[arg(long, default_value_t = 2000)]
        messages: usize,
        /// Order threads to use.
        #[arg(long, default_value_t = 20)]
        threads: usize,
        /// Concurrent senders.
        #[arg(long, default_value_t = 8)]
        senders: usize,
        /// Thread openings to time.
        #[arg(long, default_value_t = 500)]
        opens: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The tamper-evident access log: durable appends per second (group commit, real
    /// fsync), verification speed, and the time to check one inclusion proof.
    Log {
        /// Concurrent appenders, each waiting for its entry to be durable.
        #[arg(long, default_value_t = 256)]
        appenders: usize,
        /// How long to append.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// A case system's citizens in bulk: synthetic citizens (CPR number, name and four
    /// items each) imported from a JSON Lines file into a fresh installation; prints JSON.
    Import {
        /// Citizens to import.
        #[arg(long, default_value_t = 100_000)]
        citizens: usize,
        /// Citizens per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The citizen's own view: with this many ledger rows for the citizen and access-log
    /// entries about them, the time to serve their pages (my data, who got it, who looked,
    /// my requests) over HTTP, the log's check against the signed checkpoint included.
    Citizen {
        /// Ledger rows for the citizen.
        #[arg(long, default_value_t = 1000)]
        ledger: usize,
        /// Access-log entries in all before measuring (nearly all about the citizen).
        #[arg(long, default_value_t = 10_000)]
        log: u64,
        /// Requests to time per page.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The access answer of one citizen built from the records: with this many ledger
    /// rows for the citizen and access-log entries in all, the time to produce the answer
    /// (JSON) and its PDF letter.
    Answer {
        /// Ledger rows for the citizen (orders and justified disclosures until reached).
        #[arg(long, default_value_t = 1000)]
        ledger: usize,
        /// Access-log entries in all before measuring.
        #[arg(long, default_value_t = 10_000)]
        log: u64,
        /// Answers to time.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub async fn run(args: BenchArgs) -> Result<()> {
    match args.command {
        BenchCommand::Reads {
            clients,
            seconds,
            orders,
            database_url,
        } => reads(clients, seconds, orders, database_url).await,
        BenchCommand::Messages {
            messages,
            threads,
            senders,
            opens,
            database_url,
        } => messages_bench(messages, threads, senders, opens, database_url).await,
        BenchCommand::Log {
            appenders,
            seconds,
            database_url,
        } => log_bench(appenders, seconds, database_url).await,
        BenchCommand::Answer {
            ledger,
            log,
            runs,
            database_url,
        } => answer_bench(ledger, log, runs, database_url).await,
        BenchCommand::Import {
            citizens,
            batch,
            database_url,
        } => import_bench(citizens, batch, database_url).await,
        BenchCommand::Citizen {
            ledger,
            log,
            runs,
            database_url,
        } => citizen_bench(ledger, log, runs, database_url).await,
    }
}

/// Generates synthetic citizens into a JSON Lines file, imports it into a fresh
/// installation (one municipality, one purpose) and prints the figures as JSON.
async fn import_bench(citizens: usize, batch: usize, database_url: Option<String>) -> Result<()> {
    if citizens == 0 || batch == 0 {
        bail!("--citizens and --batch must be positive");
    }
    let scratch = Scratch::new(database_url.as_deref()).await;
    let app = scratch.app.clone();
    let controller = app
        .init("Bench Kommune", "admin", "Admin", "bench-adgangskode-2026")
        .await?;
    let admin = app.named_user("admin").await?;
    let purpose = "Beskæftigelsesindsats";
    app.create_purpose(
        &admin,
        &skjold_app::catalogue::PurposeInput {
            name: purpose.into(),
            description: "Tilbud efter lov om en aktiv beskæftigelsesindsats.".into(),
            art6: "6.1.e".into(),
            art9: None,
            national_law: "Lov om en aktiv beskæftigelsesindsats § 5".into(),
            retention: "5 år efter sagens afslutning".into(),
            automated_decision: String::new(),
        },
    )
    .await?;
    let file = std::env::temp_dir().join(format!(
        "skjold-bench-import-{}.jsonl",
        uuid::Uuid::new_v4()
    ));
    crate::citizens::generate(&crate::citizens::GenerateArgs {
        count: citizens,
        out: file.clone(),
        seed: 1,
        purpose: purpose.into(),
    })?;
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let result = crate::citizens::import_file(&app, controller, &file, batch, true).await;
    let _ = std::fs::remove_file(&file);
    let (report, elapsed) = result?;
    let log_entries = app.access_log_len().await?;
    let backend = scratch.backend();
    scratch.cleanup().await;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let figures = serde_json::json!({
        "bench": "import",
        "backend": backend,
        "citizens": citizens,
        "imported": report.imported,
        "skipped": report.skipped,
        "failed": report.failed.len(),
        "items_per_citizen": 6,
        "batch": batch,
        "file_bytes": bytes,
        "seconds": (secs * 1000.0).round() / 1000.0,
        "citizens_per_second": (report.imported as f64 / secs).round(),
        "access_log_entries": log_entries,
    });
    println!("{}", serde_json::to_string_pretty(&figures)?);
    Ok(())
}

async fn reads(
    clients: usize,
    seconds: u64,
    order_count: usize,
    database_url: Option<String>,
) -> Result<()> {
    if clients == 0 || seconds == 0 || order_count == 0 {
        bail!("--clients, --seconds and --orders must be positive");
    }
    let (scratch, orders) = demo_with_orders(database_url.as_deref(), order_count).await?;
    let (app, backend) = (scratch.app.clone(), scratch.backend());
    let token = app.create_api_token("mentorhuset", "bench").await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(skjold_web::serve(
        listener,
        app.clone(),
        skjold_web::WebConfig::default(),
        async {
            let _ = stop_rx.await;
        },
    ));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let urls: Arc<Vec<String>> = Arc::new(
        orders
            .iter()
            .map(|o| format!("http://{addr}/api/v1/orders/{o}"))
            .collect(),
    );
    let measuring = Arc::new(AtomicBool::new(false));
    let running = Arc::new(AtomicBool::new(true));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (client, urls, token) = (client.clone(), urls.clone(), token.clone());
        let (measuring, running, errors) = (measuring.clone(), running.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while running.load(Ordering::Relaxed) {
                let url = &urls[rand::thread_rng().gen_range(0..urls.len())];
                let start = Instant::now();
                let ok = match client.get(url).bearer_auth(&token).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if measuring.load(Ordering::Relaxed) {
                    if ok {
                        latencies.push(start.elapsed());
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    eprintln!("Opvarmning, derefter måling i {seconds} s med {clients} klienter …");
    tokio::time::sleep(Duration::from_millis(seconds * 100)).await;
    let log_before = count_log(&app).await?;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let log_after = count_log(&app).await?;
    let _ = stop_tx.send(());
    let _ = server.await;
    scratch.cleanup().await;

    all.sort();
    let n = all.len();
    if n == 0 {
        bail!(
            "no request succeeded ({} errors)",
            errors.load(Ordering::Relaxed)
        );
    }
    let pct = |p: f64| all[((n as f64 * p).ceil() as usize).clamp(1, n) - 1];
    println!(
        "bench reads: supplier reads an order via GET /api/v1/orders/{{id}} ({backend}, {clients} clients, {} orders)",
        orders.len()
    );
    println!(
        "  requests      {n} in {:.1} s, errors {}",
        elapsed.as_secs_f64(),
        errors.load(Ordering::Relaxed)
    );
    println!(
        "  throughput    {:.0} logged reads/s",
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency       p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(all[n - 1])
    );
    println!(
        "  access log    {} entries written while measuring (≥ one per read)",
        log_after.saturating_sub(log_before)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn count_log(app: &App) -> Result<u64> {
    Ok(app.access_log_len().await?)
}

/// A throw-away demo with `orders` Mentorstøtte orders at Mentorhuset.
async fn demo_with_orders(
    database_url: Option<&str>,
    orders: usize,
) -> Result<(Scratch, Vec<uuid::Uuid>)> {
    let scratch = Scratch::new(database_url).await;
    let app = &scratch.app;
    eprintln!("Bygger demo på {} …", scratch.backend());
    let demo = app.build_demo(orders.max(10)).await?;
    let cw = app.named_user("sagsbehandler").await?;
    let mut ids = Vec::with_capacity(orders);
    for c in demo.citizens.iter().take(orders) {
        app.find_citizen(&cw, &c.cpr.formatted()).await?;
        let order = NewOrder {
            subject_id: c.id,
            service_type_id: demo.service_types["MENTOR"],
            supplier_id: demo.organisations["Mentorhuset ApS"],
        };
        ids.push(app.place_order(&cw, order).await?);
    }
    Ok((scratch, ids))
}

async fn messages_bench(
    messages: usize,
    threads: usize,
    senders: usize,
    opens: usize,
    database_url: Option<String>,
) -> Result<()> {
    if messages == 0 || threads == 0 || senders == 0 || opens == 0 {
        bail!("--messages, --threads, --senders and --opens must be positive");
    }
    let (scratch, orders) = demo_with_orders(database_url.as_deref(), threads).await?;
    let (app, backend) = (scratch.app.clone(), scratch.backend());
    let supplier = app.named_user("mentorhuset").await?;
    let orders = Arc::new(orders);

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(senders);
    for s in 0..senders {
        let (app, supplier, orders) = (app.clone(), supplier.clone(), orders.clone());
        tasks.push(tokio::spawn(async move {
            let mut sent = 0usize;
            for i in (s..messages).step_by(senders) {
                let order = orders[i % orders.len()];
                let body =
                    format!("Statusbesked {i}: borgeren mødte op til aftalen og deltog aktivt.");
                app.send_message(&supplier, order, &body, None).await?;
                sent += 1;
            }
            Ok::<usize, skjold_app::AppError>(sent)
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await??;
    }
    let send_time = started.elapsed();

    let cw = app.named_user("sagsbehandler").await?;
    let mut latencies = Vec::with_capacity(opens);
    for i in 0..opens {
        let order = orders[i % orders.len()];
        let start = Instant::now();
        let view = app.thread(&cw, order).await?;
        latencies.push(start.elapsed());
        if view.messages.is_empty() {
            bail!("a thread came back empty");
        }
    }
    scratch.cleanup().await;
    latencies.sort();
    let n = latencies.len();
    let pct = |p: f64| latencies[((n as f64 * p).ceil() as usize).clamp(1, n) - 1];
    let per_thread = messages / orders.len();
    println!(
        "bench messages ({backend}, {senders} senders, {} threads, about {per_thread} messages a thread)",
        orders.len()
    );
    println!(
        "  sent          {sent} messages in {:.2} s: {:.0} messages/s (sealed, guarded, logged)",
        send_time.as_secs_f64(),
        sent as f64 / send_time.as_secs_f64()
    );
    println!(
        "  thread open   p50 {:.1} ms, p99 {:.1} ms over {n} openings (decrypt all, mark read, log)",
        ms(pct(0.50)),
        ms(pct(0.99))
    );
    Ok(())
}

async fn log_bench(appenders: usize, seconds: u64, database_url: Option<String>) -> Result<()> {
    if appenders == 0 || seconds == 0 {
        bail!("--appenders and --seconds must be positive");
    }
    let scratch = Scratch::new(database_url.as_deref()).await;
    let backend = scratch.backend();
    eprintln!(
        "Skriver til adgangsloggen i {seconds} s med {appenders} samtidige skrivere ({backend}) …"
    );
    let figures = log_figures(&scratch.app, appenders, seconds).await;
    scratch.cleanup().await;
    let f = figures?;
    println!("bench log ({backend}, {appenders} concurrent appenders)");
    println!(
        "  appends       {} durable entries in {:.1} s: {:.0} appends/s (group commit, fsync before each acknowledgement)",
        f.appended,
        f.append_time.as_secs_f64(),
        f.appended as f64 / f.append_time.as_secs_f64()
    );
    println!(
        "  verify        {} entries, {} checkpoints in {:.2} s: {:.0} entries/s",
        f.verified_entries,
        f.verified_checkpoints,
        f.verify_time.as_secs_f64(),
        f.verified_entries as f64 / f.verify_time.as_secs_f64()
    );
    println!(
        "  proofs        {} inclusion proofs checked, {:.1} µs each (leaf hash from the entry's JSON included)",
        f.proofs,
        f.proof_time.as_secs_f64() * 1e6 / f.proofs.max(1) as f64
    );
    Ok(())
}

/// The services and suppliers the answer bench orders in turn, so the answer names many.
const ANSWER_ORDERS: [(&str, &str); 4] = [
    ("MENTOR", "Mentorhuset ApS"),
    ("PRAKTIK", "Praktikpartner A/S"),
    ("AFKLAR", "Mentorhuset ApS"),
    ("JOBSOG", "Praktikpartner A/S"),
];

/// Gives one citizen `ledger_rows` rows in the disclosure ledger (orders, each disclosing
/// its automatic fields and, on a justified decision, every field its policy allows) and
/// the access log `log_entries` entries in all (reads of the citizen's record, many at
/// once). Returns the log's size.
async fn citizen_records(
    app: &App,
    demo: &skjold_app::demo::DemoSummary,
    cw: &skjold_core::Actor,
    citizen: &skjold_app::demo::DemoCitizen,
    ledger_rows: usize,
    log_entries: u64,
) -> Result<u64> {
    eprintln!("Videregiver til {ledger_rows} rækker i videregivelsesloggen …");
    let mut rows = 0;
    for (code, supplier) in ANSWER_ORDERS.iter().cycle() {
        if rows >= ledger_rows {
            break;
        }
        let order = app
            .place_order(
                cw,
                NewOrder {
                    subject_id: citizen.id,
                    service_type_id: demo.service_types[*code],
                    supplier_id: demo.organisations[*supplier],
                },
            )
            .await?;
        let view = app.caseworker_order(cw, order).await?;
        for field in view.disclosable {
            app.disclose(
                cw,
                order,
                field.key(),
                "Leverandøren skal kende oplysningen for at udføre opgaven.",
            )
            .await?;
        }
        rows += app.caseworker_order(cw, order).await?.disclosures.len();
    }

    // Reads of the citizen's record, many at once, until the log holds the entries asked.
    let before = app.access_log_len().await?;
    let missing = log_entries.saturating_sub(before);
    eprintln!("Skriver {missing} poster i adgangsloggen …");
    let mut readers = tokio::task::JoinSet::new();
    const READERS: u64 = 64;
    for r in 0..READERS {
        let (app, cw, id) = (app.clone(), cw.clone(), citizen.id);
        let share = missing / READERS + u64::from(r < missing % READERS);
        readers.spawn(async move {
            for _ in 0..share {
                app.citizen(&cw, id).await?;
            }
            Ok::<_, skjold_app::AppError>(())
        });
    }
    while let Some(done) = readers.join_next().await {
        done??;
    }
    Ok(app.access_log_len().await?)
}

async fn answer_bench(
    ledger_rows: usize,
    log_entries: u64,
    runs: usize,
    database_url: Option<String>,
) -> Result<()> {
    if ledger_rows == 0 || runs == 0 {
        bail!("--ledger and --runs must be positive");
    }
    let scratch = Scratch::new(database_url.as_deref()).await;
    let app = scratch.app.clone();
    eprintln!("Bygger demo på {} …", scratch.backend());
    let demo = app.build_demo(10).await?;
    let cw = app.named_user("sagsbehandler").await?;
    let citizen = demo.citizens[9].clone();
    app.find_citizen(&cw, &citizen.cpr.formatted()).await?;

    let log_total = citizen_records(&app, &demo, &cw, &citizen, ledger_rows, log_entries).await?;

    let case = skjold_app::rights::CaseInput {
        citizen: citizen.id,
        kind: "access".into(),
        received_on: app.now().local_date().to_string(),
        channel: "digital_post".into(),
        description: "Alt, hvad I har givet videre om mig.".into(),
        access: Some(skjold_app::rights::AccessInput {
            wish: "my_data_in_a_case".into(),
            scope: "case".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (id, _) = app.open_rights_case(&cw, &case).await?;
    app.check_rights_identity(&cw, id, "MitID").await?;
    let granted = skjold_app::rights::DecisionInput {
        outcome: "granted".into(),
        reasons: "Borgeren har ret til indsigt i egne oplysninger.".into(),
        ..Default::default()
    };
    app.decide_rights_case(&cw, id, &granted).await?;

    // The first answer loads the scrubber's lists; it is timed on its own.
    let started = Instant::now();
    let first = app.access_answer(&cw, id).await?;
    let cold = started.elapsed();
    let ledger_in_answer: usize = first.recipients.iter().map(|r| r.disclosures.len()).sum();
    let mut answers = Vec::with_capacity(runs);
    let mut json_bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let answer = app.access_answer(&cw, id).await?;
        json_bytes = serde_json::to_vec(&answer)?.len();
        answers.push(started.elapsed());
    }
    let mut letters = Vec::with_capacity(runs.min(5));
    let mut pdf_bytes = 0;
    for _ in 0..runs.min(5) {
        let started = Instant::now();
        pdf_bytes = app.rights_letter(&cw, id).await?.pdf.len();
        letters.push(started.elapsed());
    }
    let backend = scratch.backend();
    scratch.cleanup().await;

    answers.sort();
    letters.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    println!("bench answer: one citizen's access answer from the records ({backend})");
    println!(
        "  records       {ledger_in_answer} ledger rows for the citizen ({} recipients), {log_total} access-log entries",
        first.recipients.len()
    );
    println!(
        "  answer (JSON) median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs; first {:.1} ms (loads the scrubber); {json_bytes} bytes",
        ms(median(&answers)),
        ms(answers[0]),
        ms(answers[answers.len() - 1]),
        ms(cold)
    );
    println!(
        "  letter (PDF)  median {:.1} ms, min {:.1} ms over {} runs; {pdf_bytes} bytes",
        ms(median(&letters)),
        ms(letters[0]),
        letters.len()
    );
    Ok(())
}

/// The citizen's own pages for a citizen with many records, served over HTTP on a local
/// port; prints the median and the slowest of each page.
async fn citizen_bench(
    ledger_rows: usize,
    log_entries: u64,
    runs: usize,
    database_url: Option<String>,
) -> Result<()> {
    if runs == 0 {
        bail!("--runs must be positive");
    }
    let scratch = Scratch::new(database_url.as_deref()).await;
    let app = scratch.app.clone();
    eprintln!("Bygger demo på {} …", scratch.backend());
    let demo = app.build_demo(10).await?;
    let cw = app.named_user("sagsbehandler").await?;
    let citizen = demo.citizens[9].clone();
    app.find_citizen(&cw, &citizen.cpr.formatted()).await?;
    let log_total = citizen_records(&app, &demo, &cw, &citizen, ledger_rows, log_entries).await?;
    let session = app.bench_citizen_session(citizen.id).await?;

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
    let cookie = format!("skjold_borger={session}");
    let mut figures = Vec::new();
    for (page, name) in [
        ("/borger/oplysninger", "my data"),
        ("/borger/modtagere", "who got it"),
        ("/borger/log", "who looked"),
        ("/borger/anmodninger", "my requests"),
    ] {
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let reply = http
                .get(format!("{base}{page}"))
                .header("cookie", &cookie)
                .send()
                .await?;
            if !reply.status().is_success() {
                bail!("{page} answered {}", reply.status());
            }
            bytes = reply.bytes().await?.len();
            times.push(started.elapsed());
        }
        times.sort();
        figures.push((name, times[times.len() / 2], times[times.len() - 1], bytes));
    }
    let _ = stop.send(());
    let _ = server.await;
    let backend = scratch.backend();
    scratch.cleanup().await;
    println!("bench citizen: one citizen's own pages over HTTP ({backend})");
    println!(
        "  records     {ledger_rows}+ ledger rows for the citizen, {log_total} access-log entries"
    );
    for (name, median, max, bytes) in figures {
        println!(
            "  {name:<11} median {:.1} ms, max {:.1} ms over {runs} requests; {bytes} bytes",
            ms(median),
            ms(max)
        );
    }
    Ok(())
}
