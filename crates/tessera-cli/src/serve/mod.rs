//! `tessera serve`: a local introspection service for the person's own APIs and dev
//! servers. RFC 7662 introspection and RFC 7009 revocation for clients that
//! authenticate with HTTP Basic (`tessera client add`), the vault's public keys as a
//! JWK Set (RFC 7517) and RFC 8414 metadata pointing at the rest. Loopback only unless
//! `--allow-remote`; every call audited; a per-client rate limit.
//!
//! One thread owns the open vault and answers the requests the HTTP workers hand it,
//! as many as are waiting in one read transaction ([`Vault::read_batch`]): under load
//! the file's lock is taken once per batch instead of once per statement, and no two
//! threads contend for the vault.

mod limit;
mod routes;

use crate::cli::ServeArgs;
use crate::commands::{Context, Exit};
use crate::output::{line, note};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tessera_core::audit::AuditOutcome;
use tessera_core::clients::ClientKeys;
use tessera_core::{Error, Result, Vault};

/// How often the service writes what verification has buffered (the audit events and
/// last uses): often enough that a busy second's records are not one long write that
/// every request waits behind.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Most requests answered in one read transaction.
const MAX_BATCH: usize = 256;

/// Work for the vault's thread, with the clients' keys of its batch.
type Job = Box<dyn FnOnce(&mut Vault, &Keys) + Send>;

/// The clients' keys as one batch reads them.
pub(crate) type Keys = Result<ClientKeys>;

/// What every request shares.
pub(crate) struct Service {
    jobs: mpsc::Sender<Job>,
    pub limits: limit::Limits,
    /// `http://ADDR:PORT`, as bound.
    pub base: String,
    pub issuer: String,
}

impl Service {
    /// Runs `f` on the vault's thread; `None` if that thread is gone (a 500).
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vault, &Keys) -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |vault, keys| {
            let _ = reply.send(f(vault, keys));
        });
        self.jobs.send(job).ok()?;
        answer.await.ok()
    }
}

/// The vault's thread: writes what verification has buffered every [`FLUSH_EVERY`],
/// waits for a request, then answers every request waiting, in one read transaction. Ends when
/// every sender is gone and hands the vault back.
fn vault_thread(mut vault: Vault, jobs: mpsc::Receiver<Job>) -> Vault {
    let mut flushed = Instant::now();
    loop {
        if flushed.elapsed() >= FLUSH_EVERY {
            if let Err(err) = vault.flush_usage() {
                note(&format!(
                    "error: cannot record the last verifications: {err}"
                ));
            }
            flushed = Instant::now();
        }
        let first = match jobs.recv_timeout(FLUSH_EVERY) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return vault,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let done = vault.read_batch(|vault| {
            let keys = vault.serve_client_keys();
            for job in batch {
                job(vault, &keys);
            }
        });
        if let Err(err) = done {
            note(&format!("error: {err}"));
        }
    }
}

/// The address to listen on: `ADDR:PORT` or `localhost:PORT`, loopback unless allowed.
fn listen_addr(text: &str, allow_remote: bool) -> Result<SocketAddr> {
    let text = text.trim();
    let addr = match text.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .map(|port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            .ok(),
        None => text.parse::<SocketAddr>().ok(),
    };
    let addr = addr.ok_or_else(|| {
        Error::invalid(
            "listen address",
            format!("'{text}' is not ADDR:PORT (for instance 127.0.0.1:7662 or [::1]:7662)"),
        )
    })?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(Error::invalid(
            "listen address",
            format!(
                "{addr} is not a loopback address: other machines could reach the service. Give --allow-remote if that is what you want (behind a TLS proxy: the service speaks plain HTTP)"
            ),
        ));
    }
    Ok(addr)
}

pub fn run(ctx: &mut Context, args: ServeArgs) -> Result<Exit> {
    let addr = listen_addr(&args.listen, args.allow_remote)?;
    let vault = ctx.open()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::invalid("service", format!("cannot start its runtime: {e}")))?;
    runtime.block_on(serve(vault, addr, args.rate_limit))
}

async fn serve(vault: Vault, addr: SocketAddr, rate_limit: u32) -> Result<Exit> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::invalid(
            "listen address",
            format!("cannot listen on {addr}: {e} (choose another with --listen)"),
        )
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::invalid("listen address", e.to_string()))?;
    if !bound.ip().is_loopback() {
        note(
            "warning: the service listens beyond this machine over plain HTTP: client secrets and tokens cross the network unencrypted unless a TLS proxy stands in front of it.",
        );
    }
    let issuer = vault.issuer();
    let mut vault = vault;
    vault.note_serve_event(AuditOutcome::Ok, format!("listening on {bound}"));
    vault.flush_usage()?;
    let (jobs, inbox) = mpsc::channel();
    let owner = std::thread::Builder::new()
        .name("tessera-vault".into())
        .spawn(move || vault_thread(vault, inbox))
        .map_err(|e| Error::invalid("service", format!("cannot start its vault thread: {e}")))?;
    let service = Arc::new(Service {
        jobs,
        limits: limit::Limits::new(rate_limit),
        base: format!("http://{bound}"),
        issuer,
    });
    // Watched before the address is out: a caller may stop the service at once.
    let stop = stop_signal()?;
    // The address alone on stdout, for scripts and tests; the rest on stderr.
    line(&service.base);
    note(&format!(
        "Tessera serves on {base}: POST /introspect, POST /revoke, GET /.well-known/jwks.json. Ctrl-C stops it.",
        base = service.base
    ));
    let app = routes::router(Arc::clone(&service));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await;
    // Every handler is done: the last sender goes, and the vault comes back.
    drop(service);
    let mut vault = owner
        .join()
        .map_err(|_| Error::invalid("service", "its vault thread failed"))?;
    vault.note_serve_event(AuditOutcome::Ok, format!("stopped listening on {bound}"));
    vault.flush_usage()?;
    served.map_err(|e| Error::invalid("service", format!("it stopped: {e}")))?;
    note("Stopped.");
    Ok(Exit::Ok)
}

/// Ctrl-C, SIGTERM or SIGHUP: stop taking connections, finish those under way. The
/// signals are watched from the call on; the future ends at the first.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind| {
        signal(kind)
            .map_err(|e| Error::invalid("service", format!("cannot watch for signals: {e}")))
    };
    let mut int = watch(SignalKind::interrupt())?;
    let mut term = watch(SignalKind::terminate())?;
    let mut hup = watch(SignalKind::hangup())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::listen_addr;

    #[test]
    fn only_loopback_unless_allowed() {
        assert!(listen_addr("127.0.0.1:7662", false).is_ok());
        assert!(listen_addr("[::1]:0", false).is_ok());
        assert!(listen_addr("localhost:9000", false).is_ok());
        for remote in ["0.0.0.0:7662", "[::]:7662", "192.168.1.10:80"] {
            let err = listen_addr(remote, false).expect_err("refused").to_string();
            assert!(err.contains("--allow-remote"), "{err}");
            assert!(listen_addr(remote, true).is_ok());
        }
        assert!(listen_addr("7662", false).is_err());
    }
}
