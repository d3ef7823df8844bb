//! `skjold bench reads`: logged reads measured from outside, as a load generator would.
//!
//! The bench builds a throw-away installation (demo data, orders at Mentorhuset, an API
//! token for its supplier user), starts `skjold serve` on it as a process of its own, and
//! drives that process over loopback with keep-alive HTTP/1.1 connections: first
//! `/healthz` (the server's own speed with one trivial query), then
//! `GET /api/v1/orders/{id}` as the supplier (authorisation, the order and its disclosed
//! values, and a durable access-log entry before the answer). Each run measures both for
//! the same time after a warm-up; the medians over the runs are printed last.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

use super::demo_with_orders;

/// What one load run measured.
struct Figures {
    requests: usize,
    errors: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub async fn run(
    clients: usize,
    seconds: u64,
    order_count: usize,
    runs: usize,
    database_url: Option<String>,
) -> Result<()> {
    if clients == 0 || seconds == 0 || order_count == 0 || runs == 0 {
        bail!("--clients, --seconds, --orders and --runs must be positive");
    }
    let (scratch, orders) = demo_with_orders(database_url.as_deref(), order_count).await?;
    let backend = scratch.backend();
    let token = scratch.app.create_api_token("mentorhuset", "bench").await?;
    let addr = free_loopback_port()?;
    let mut server = Server::start(addr, &scratch.serve_env())?;
    let outcome = async {
        server.wait_ready(addr).await?;
        let paths: Arc<Vec<String>> = Arc::new(
            orders
                .iter()
                .map(|o| format!("/api/v1/orders/{o}"))
                .collect(),
        );
        let health: Arc<Vec<String>> = Arc::new(vec!["/healthz".into()]);
        let mut results = Vec::with_capacity(runs);
        for run in 1..=runs {
            eprintln!("Kørsel {run} af {runs}: /healthz og læsninger, {seconds} s hver …");
            let h = load(addr, health.clone(), None, clients, seconds).await?;
            let log_before = scratch.app.access_log_len().await?;
            let r = load(addr, paths.clone(), Some(&token), clients, seconds).await?;
            let logged = scratch.app.access_log_len().await? - log_before;
            results.push((h, r, logged));
        }
        Ok::<_, anyhow::Error>(results)
    }
    .await;
    server.stop();
    scratch.cleanup().await;
    let results = outcome?;

    println!(
        "bench reads ({backend}, `skjold serve` in its own process, {clients} keep-alive connections, {} orders, {runs} runs of {seconds} s)",
        orders.len()
    );
    for (i, (h, r, logged)) in results.iter().enumerate() {
        println!(
            "  run {}: /healthz {:.0}/s (p99 {:.1} ms); logged reads {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, errors {}; {} access-log entries for {} reads",
            i + 1,
            h.per_second(),
            ms(h.p99),
            r.per_second(),
            ms(r.p50),
            ms(r.p99),
            r.errors,
            logged,
            r.requests
        );
    }
    let median = |f: &dyn Fn(&(Figures, Figures, u64)) -> f64| {
        let mut v: Vec<f64> = results.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "  median  /healthz {:.0}/s, p99 {:.1} ms",
        median(&|(h, _, _)| h.per_second()),
        median(&|(h, _, _)| ms(h.p99))
    );
    println!(
        "  median  logged reads {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        median(&|(_, r, _)| r.per_second()),
        median(&|(_, r, _)| ms(r.p50)),
        median(&|(_, r, _)| ms(r.p99))
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn free_loopback_port() -> Result<SocketAddr> {
    let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(probe.local_addr()?)
}

/// `skjold serve` in a child process; killed when dropped.
struct Server(Option<Child>);

impl Server {
    fn start(addr: SocketAddr, env: &[(&'static str, String)]) -> Result<Server> {
        let exe = std::env::current_exe().context("cannot find the skjold binary")?;
        let child = Command::new(exe)
            .args(["serve", "--bind", &addr.to_string()])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start `skjold serve`")?;
        Ok(Server(Some(child)))
    }

    async fn wait_ready(&mut self, addr: SocketAddr) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(child) = self.0.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("`skjold serve` stopped before it answered: {status}");
            }
            if get_once(addr, "/healthz").await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("`skjold serve` did not answer /healthz within 60 s")
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// One request on a connection; `Ok` only for a 2xx answer read to its end.
async fn get(sender: &mut Sender, addr: SocketAddr, path: &str, token: Option<&str>) -> Result<()> {
    let mut req = hyper::Request::get(path).header(hyper::header::HOST, addr.to_string());
    if let Some(t) = token {
        req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
    }
    sender.ready().await?;
    let response = sender.send_request(req.body(Empty::new())?).await?;
    let ok = response.status().is_success();
    response.into_body().collect().await?;
    if ok { Ok(()) } else { bail!("not a success") }
}

async fn get_once(addr: SocketAddr, path: &str) -> Result<()> {
    get(&mut connect(addr).await?, addr, path, None).await
}

/// `clients` connections requesting `paths` in turn for a warm-up of a tenth of `seconds`,
/// then for `seconds` while measuring.
async fn load(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    token: Option<&str>,
    clients: usize,
    seconds: u64,
) -> Result<Figures> {
    let measuring = Arc::new(AtomicBool::new(false));
    let running = Arc::new(AtomicBool::new(true));
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let mut sender = connect(addr).await?;
        let (paths, token) = (paths.clone(), token.map(str::to_owned));
        let (measuring, running) = (measuring.clone(), running.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<Duration> = Vec::new();
            let mut errors = 0u64;
            let mut next = client;
            while running.load(Ordering::Relaxed) {
                let path = &paths[next % paths.len()];
                next += clients;
                let start = Instant::now();
                let result = get(&mut sender, addr, path, token.as_deref()).await;
                if measuring.load(Ordering::Relaxed) {
                    match result {
                        Ok(()) => latencies.push(start.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                if result.is_err() && sender.is_closed() {
                    match connect(addr).await {
                        Ok(s) => sender = s,
                        Err(_) => break,
                    }
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_millis(seconds * 100)).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    let n = all.len();
    if n == 0 {
        bail!("no request succeeded ({errors} errors)");
    }
    let pct = |p: f64| all[((n as f64 * p).ceil() as usize).clamp(1, n) - 1];
    Ok(Figures {
        requests: n,
        errors,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    })
}
