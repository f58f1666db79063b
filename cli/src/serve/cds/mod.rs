//! The CDS Hooks 2.0 service: an EHR discovers the services (`GET /cds-services`), calls one
//! when a chart is opened or a ketamine order is selected or signed (`POST
//! /cds-services/{id}`) and says what the clinician did with the cards (`POST
//! /cds-services/{id}/feedback`).
//!
//! A call is checked (`auth`: the EHR's token; `call`: the request), its FHIR resources
//! gathered (prefetched, or fetched from the EHR's FHIR server by `fetch`), mapped to the
//! protocol's input document by the clinic's FHIR mapping, evaluated, and answered with one
//! card (`cards`). Errors answer `{"error": "..."}` with a 4xx status and never carry
//! patient data; the log names services, hook instances and issuers, never values.

mod auth;
mod call;
mod cards;
pub mod config;
mod discovery;
mod fetch;

use crate::fhir::Mapping;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kap_engine::describe::Description;
use kap_engine::Protocol;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;

/// The loaded service: configuration, compiled protocol and mapping, token verifier and the
/// FHIR client. Cheap to clone (shared).
#[derive(Clone)]
pub struct Service(Arc<State>);

/// What every request reads.
pub struct State {
    config: config::Config,
    protocol: Protocol,
    about: Description,
    mapping: Mapping,
    verifier: auth::Verifier,
    client: reqwest::Client,
}

impl Service {
    /// Loads the configuration file and everything it names: the protocol (compiled with
    /// every check), the FHIR mapping (checked against the protocol), the issuers' keys.
    pub fn load(path: &Path) -> Result<Service, String> {
        let config = config::Config::read(path)?;
        let rules = std::fs::read_to_string(&config.protocol)
            .map_err(|e| format!("cannot read rule file {}: {e}", config.protocol.display()))?;
        let protocol = Protocol::compile(&rules).map_err(|diagnostics| {
            let name = config.protocol.display().to_string();
            let shown: Vec<String> = diagnostics.iter().map(|d| d.locate(&name, &rules).render()).collect();
            format!("{name} has errors:\n{}", shown.join("\n"))
        })?;
        let mapping_text = std::fs::read_to_string(&config.mapping)
            .map_err(|e| format!("cannot read FHIR mapping {}: {e}", config.mapping.display()))?;
        let mapping_name = config.mapping.display().to_string();
        let mapping = Mapping::compile(&mapping_text, &mapping_name, &protocol).map_err(|diagnostics| {
            let shown: Vec<String> =
                diagnostics.iter().map(|d| d.locate(&mapping_name, &mapping_text).render()).collect();
            format!("{mapping_name} has errors:\n{}", shown.join("\n"))
        })?;
        let about = protocol.describe();
        for s in &config.services {
            if !about.decisions.iter().any(|d| d.name == s.decision) {
                return Err(format!("service `{}`: the protocol has no decision `{}`", s.id, s.decision));
            }
        }
        let verifier = auth::Verifier::load(&config)?;
        let client = fetch::client(&config.limits)?;
        if config.allow_unsigned {
            eprintln!(
                "kap: WARNING: allow_unsigned = true in {}: calls are accepted WITHOUT verifying who sends them. \
                 For a local trial only; never with real patients.",
                path.display()
            );
        }
        if config.issuers.is_empty() && !config.allow_unsigned {
            eprintln!(
                "kap: warning: {} trusts no [[issuer]]: every call will be refused (401) until one is added",
                path.display()
            );
        }
        Ok(Service(Arc::new(State { config, protocol, about, mapping, verifier, client })))
    }
}

/// The routes under `/cds-services`, with CORS for browser-based EHRs, the body limit and
/// the request timeout.
pub fn router(service: Service) -> Router {
    let limits = &service.0.config.limits;
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(Duration::from_secs(600));
    let most = limits.body_bytes;
    Router::new()
        .route("/cds-services", get(discovery::discover))
        .route("/cds-services/{id}", post(call::call))
        .route("/cds-services/{id}/feedback", post(call::feedback))
        .layer(DefaultBodyLimit::max(most))
        .layer(middleware::from_fn(move |request: Request, next: Next| async move {
            match too_large(&request, most) {
                Some(refusal) => refusal.into_response(),
                None => next.run(request).await,
            }
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(limits.request_seconds),
        ))
        .layer(cors)
        .with_state(service)
}

/// A body announced larger than `most` bytes is refused before it is read (413), so that a
/// client waiting on `Expect: 100-continue` never sends it. Bodies without a length are cut
/// at the same limit as they are read.
fn too_large(request: &Request, most: usize) -> Option<Refusal> {
    let length = request.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse::<u64>().ok()?;
    (length > most as u64)
        .then(|| Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than this service accepts"))
}

/// A refused request: its status and a message that names no patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    /// A refusal with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal { status, message: message.into() }
    }

    /// A 400 Bad Request.
    pub fn bad(message: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}
