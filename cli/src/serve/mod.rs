//! `kap serve`: the web form and, with `--cds CONFIG`, the CDS Hooks service, on one
//! HTTP server (axum on tokio, with tower-http).
//!
//! It binds 127.0.0.1 unless `--host` names another address. The form's files are served as
//! they are (`files`); the form does all its work in the page, so patient data never reaches
//! the server for it. The CDS Hooks service (`cds`) is the one part that reads patient data,
//! and only when an EHR calls it with a verified token.

mod cds;
mod files;

use axum::Router;
use std::io::{self, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// What `kap serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory of the built form; `None`: [`DEFAULT_DIR`], which the CDS Hooks service
    /// alone does without.
    pub dir: Option<PathBuf>,
    /// The address to bind (127.0.0.1 unless asked).
    pub host: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The CDS Hooks service's configuration file, when the service is wanted.
    pub cds: Option<PathBuf>,
}

/// Where the built form is, in a clone of the project.
pub const DEFAULT_DIR: &str = "wasm/www";

/// Serves the form under `options.dir` (and the CDS Hooks service when configured) until the
/// process is stopped (Ctrl-C or SIGTERM). The URL printed on standard output names the real
/// port.
///
/// Returns an error when `dir` is not a directory, the configuration cannot be loaded or the
/// address cannot be bound.
pub fn serve(options: &Options) -> io::Result<()> {
    let default = std::path::Path::new(DEFAULT_DIR);
    let root = match (&options.dir, &options.cds) {
        (Some(dir), _) => Some(files::root(dir)?),
        (None, None) => Some(files::root(default)?),
        // The service alone, started outside the project (e.g. from /etc/kap): no form.
        (None, Some(_)) => files::root(default).ok(),
    };
    let service = match &options.cds {
        Some(config) => Some(cds::Service::load(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(options, root, service))
}

async fn run(options: &Options, root: Option<PathBuf>, service: Option<cds::Service>) -> io::Result<()> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((options.host, options.port))).await?;
    let bound = listener.local_addr()?;
    let reach = if options.host.is_loopback() { "only this machine can connect" } else { "other machines can connect" };
    let dir = options.dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    let mut app = Router::new();
    match root {
        Some(root) => {
            outln!("kap: serving {} at http://{bound}/ ({reach}; Ctrl-C stops)", dir.display());
            if !root.join("index.html").is_file() {
                eprintln!("kap: warning: {} has no index.html (build the form with scripts/web-build)", dir.display());
            }
            app = files::router(root);
        }
        None => {
            outln!("kap: serving the CDS Hooks service at http://{bound}/ ({reach}; Ctrl-C stops)");
            eprintln!("kap: note: no form served: {} is not here (give --dir to serve it too)", dir.display());
        }
    }
    if let Some(service) = service {
        outln!("kap: CDS Hooks discovery at http://{bound}/cds-services");
        app = cds::router(service).merge(app);
    }
    io::stdout().flush()?;
    axum::serve(listener, app).with_graceful_shutdown(stopped()).await
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
async fn stopped() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
