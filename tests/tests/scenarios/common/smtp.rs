//! A minimal SMTP sink for tests: accepts every message on 127.0.0.1 and keeps the
//! recipients and the raw data, so a test can read what was "sent". Plain, or with TLS.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

pub type Inbox = Arc<Mutex<Vec<Mail>>>;

/// Starts the sink; returns its port and the inbox.
pub async fn sink() -> (u16, Inbox) {
    start(None).await
}

/// Starts a sink that speaks TLS from the first byte (as `smtps://`), with a certificate
/// for `localhost` from `tls`.
pub async fn tls_sink(tls: Arc<tokio_rustls::rustls::ServerConfig>) -> (u16, Inbox) {
    start(Some(tokio_rustls::TlsAcceptor::from(tls))).await
}

async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
    let port = listener.local_addr().expect("addr").port();
    let inbox: Inbox = Arc::default();
    let shared = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let inbox = shared.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            session(stream, inbox).await;
                        }
                    }
                    None => session(stream, inbox).await,
                }
            });
        }
    });
    (port, inbox)
}

/// One SMTP session: accepts whatever comes and keeps each message.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S, inbox: Inbox) {
    let (r, mut w) = tokio::io::split(stream);
    let mut lines = BufReader::new(r).lines();
    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
            b"250 ok\r\n"
        } else if upper == "DATA" {
            let _ = w.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            if let Ok(mut inbox) = inbox.lock() {
                inbox.push(Mail {
                    to: std::mem::take(&mut to),
                    data,
                });
            }
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = w.write_all(b"221 bye\r\n").await;
            break;
        } else {
            b"250 ok\r\n"
        };
        let _ = w.write_all(reply).await;
        let _ = w.flush().await;
    }
}

/// Waits (up to five seconds) until the inbox holds `n` messages, and returns them.
pub async fn wait_for(inbox: &Inbox, n: usize) -> Vec<Mail> {
    for _ in 0..100 {
        let mails = inbox.lock().map(|m| m.clone()).unwrap_or_default();
        if mails.len() >= n {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    inbox.lock().map(|m| m.clone()).unwrap_or_default()
}
