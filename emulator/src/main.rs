//! zdkit-emulator: an offline emulator of the Zendesk Support API on loopback.
//!
//! Start it, read the first stdout line (`{"url": …, "ca_file": …}`), point a client at the
//! URL. See `emulator/README.md` for flags, accounts, endpoints and the control API.

#![warn(missing_docs)]

mod app;
mod attachments;
mod audit_feed;
mod audits;
mod auth;
mod config;
mod content;
mod control;
mod faults;
mod http;
mod oauth;
mod pagination;
mod ratelimit;
mod routes;
mod seed;
mod seed_account;
mod seed_fields;
mod seed_help_center;
mod server;
mod store;
mod tls;
mod util;

use std::io::Write as _;
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = config::Config::default();
    if let Err(e) = cfg.apply_args(&args) {
        if e.is_empty() {
            println!("{}", config::USAGE);
            return;
        }
        eprintln!("zdkit-emulator: {e}\n{}", config::USAGE);
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("zdkit-emulator: cannot start the runtime: {e}");
            std::process::exit(1)
        });
    let code = runtime.block_on(run(cfg));
    std::process::exit(code);
}

async fn run(cfg: config::Config) -> i32 {
    let signals = match Signals::register() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zdkit-emulator: cannot handle signals: {e}");
            return 1;
        }
    };
    let host = cfg.host.clone().unwrap_or_else(|| "127.0.0.1".into());
    let port = cfg.port.unwrap_or(0);
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("zdkit-emulator: cannot listen on {host}:{port}: {e}");
            return 1;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("zdkit-emulator: {e}");
            return 1;
        }
    };
    let tls = if cfg.tls.unwrap_or(false) {
        match tls::setup(addr.port()) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("zdkit-emulator: TLS setup failed: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let authority = addr.to_string();
    let url = format!("{scheme}://{authority}");
    let ca_file = tls.as_ref().map(|t| t.ca_file.display().to_string());
    // The content origin (attachment bytes) listens on its own port of the same host.
    let content = match tokio::net::TcpListener::bind((host.as_str(), 0)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("zdkit-emulator: cannot listen on {host} for attachment content: {e}");
            return 1;
        }
    };
    let content_addr = match content.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("zdkit-emulator: {e}");
            return 1;
        }
    };
    let app = Arc::new(app::App::new(cfg, scheme, authority));
    let _ = app.content_origin.set(format!("{scheme}://{content_addr}"));
    let line = format!(
        "{{\"url\": {}, \"ca_file\": {}}}",
        serde_json::Value::String(url),
        ca_file.map_or(serde_json::Value::Null, serde_json::Value::String)
    );
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
    tokio::spawn(server::serve(content, app.clone(), acceptor.clone(), true));
    tokio::spawn(server::serve(listener, app, acceptor, false));
    signals.wait().await;
    if let Some(t) = &tls {
        let _ = std::fs::remove_file(&t.ca_file);
    }
    0
}

/// SIGTERM and SIGINT streams, registered before the first line is printed so that a signal
/// sent right after start-up still means "exit cleanly".
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn register() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
