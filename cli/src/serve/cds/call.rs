//! `POST /cds-services/{id}`: a hook's call, checked, its FHIR resources gathered, mapped
//! and evaluated, answered with cards; and `POST /cds-services/{id}/feedback`.

use super::config::ServiceConfig;
use super::fetch::{self, Server};
use super::{cards, Refusal, Service};
use crate::fhir::Context;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// A hook's call, as far as the service reads it.
pub struct HookCall {
    /// `hookInstance`: the UUID the EHR gave this call.
    pub hook_instance: String,
    /// `context`.
    pub context: Map<String, Value>,
    /// `prefetch`, when sent.
    pub prefetch: Map<String, Value>,
    /// `fhirServer` with the token of `fhirAuthorization`, when both are sent.
    pub fhir: Option<(String, String)>,
}

/// Answers a hook's call with cards.
pub async fn call(
    State(service): State<Service>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(&service, &id, &headers, body).await {
        Ok((hook_instance, cards)) => {
            eprintln!("kap cds: {id} hookInstance={hook_instance}: 200, {} card(s)", cards.len());
            Json(serde_json::json!({ "cards": cards })).into_response()
        }
        Err(refusal) => {
            eprintln!("kap cds: {id}: refused {}: {}", refusal.status.as_u16(), refusal.message);
            refusal.into_response()
        }
    }
}

async fn answer(
    service: &Service,
    id: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(String, Vec<Value>), Refusal> {
    let state = &service.0;
    let config = find(service, id)?;
    let caller = state.verifier.verify(headers, &[format!("{}/cds-services/{id}", state.config.base_url)])?;
    let request = json_body(headers, body)?;
    let call = read_call(&request, config)?;
    let from = caller.iss.as_deref().unwrap_or("unsigned");
    eprintln!("kap cds: {id} hookInstance={} from {from}", call.hook_instance);
    let (resources, notes) = gather(service, config, &call).await;
    let draft_orders = draft_orders(&call.context);
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "the clock cannot be read"))?;
    // Only the resources of the patient the call is about are read (context.patientId).
    let patient = call.context.get("patientId").and_then(Value::as_str).map(str::to_string);
    let mapped = state.mapping.document(&resources, &Context { now, draft_orders, patient });
    let card = cards::card(state, config, &mapped, &notes);
    Ok((call.hook_instance, vec![card]))
}

/// Accepts the feedback on cards (accepted, overridden) and logs its card ids and outcomes.
pub async fn feedback(
    State(service): State<Service>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let state = &service.0;
    let result = find(&service, &id).and_then(|_| {
        state.verifier.verify(&headers, &[format!("{}/cds-services/{id}/feedback", state.config.base_url)])?;
        json_body(&headers, body)
    });
    let request = match result {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(items) = request.get("feedback").and_then(Value::as_array) else {
        return Refusal::bad("`feedback` must be an array").into_response();
    };
    for item in items {
        let field = |name: &str| item.get(name).and_then(Value::as_str).filter(|s| is_token(s)).unwrap_or("?");
        eprintln!("kap cds: {id} feedback: card {} {}", field("card"), field("outcome"));
    }
    StatusCode::OK.into_response()
}

/// Whether a text is safe to log: an id or a word, nothing free.
fn is_token(text: &str) -> bool {
    text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn find<'a>(service: &'a Service, id: &str) -> Result<&'a ServiceConfig, Refusal> {
    service
        .0
        .config
        .services
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, "no such CDS service"))
}

/// The body as a JSON object: 413 above the limit, 415 when not sent as JSON, 400 when not
/// JSON or not an object.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, Refusal> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is larger than this service accepts"
        } else {
            "the request body cannot be read"
        };
        Refusal::new(status, message)
    })?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "application/json" && media != "application/fhir+json" {
        return Err(Refusal::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "the request body must be application/json"));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Refusal::bad("the request body must be a JSON object")),
        Err(_) => Err(Refusal::bad("the request body is not valid JSON")),
    }
}

/// Checks a call against the CDS Hooks request and the service's hook.
pub fn read_call(request: &Map<String, Value>, config: &ServiceConfig) -> Result<HookCall, Refusal> {
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    match text("hook") {
        Some(hook) if hook == config.hook => {}
        Some(_) => return Err(Refusal::bad(format!("this service answers the hook `{}`", config.hook))),
        None => return Err(Refusal::bad("`hook` is required")),
    }
    let hook_instance = text("hookInstance")
        .filter(|h| uuid::Uuid::parse_str(h).is_ok())
        .ok_or_else(|| Refusal::bad("`hookInstance` must be a UUID"))?
        .to_string();
    let context = request
        .get("context")
        .and_then(Value::as_object)
        .ok_or_else(|| Refusal::bad("`context` must be an object"))?
        .clone();
    if context.get("patientId").and_then(Value::as_str).is_none_or(|p| p.trim().is_empty()) {
        return Err(Refusal::bad("`context.patientId` is required"));
    }
    if config.hook != "patient-view" && !context.get("draftOrders").is_some_and(Value::is_object) {
        return Err(Refusal::bad(format!("`context.draftOrders` (a Bundle) is required on `{}`", config.hook)));
    }
    let prefetch = match request.get("prefetch") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(Refusal::bad("`prefetch` must be an object")),
    };
    let fhir = match (text("fhirServer"), request.get("fhirAuthorization")) {
        (Some(server), Some(auth)) => {
            if !(server.starts_with("https://") || server.starts_with("http://")) {
                return Err(Refusal::bad("`fhirServer` must be an http(s) URL"));
            }
            let token = auth
                .get("access_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| Refusal::bad("`fhirAuthorization.access_token` is required"))?;
            Some((server.to_string(), token.to_string()))
        }
        _ => None,
    };
    Ok(HookCall { hook_instance, context, prefetch, fhir })
}

/// The resources of the call: the prefetched ones, and those the service fetches for the
/// templates the EHR did not satisfy; with notes on what could not be had.
async fn gather(service: &Service, config: &ServiceConfig, call: &HookCall) -> (Vec<Value>, Vec<String>) {
    let state = &service.0;
    let mut resources = Vec::new();
    let mut notes = Vec::new();
    let mut unsatisfied = Vec::new();
    for (key, template) in state.mapping.prefetch(&config.decision) {
        match call.prefetch.get(&key) {
            Some(Value::Null) => {}
            Some(value) => resources.push(value.clone()),
            None => unsatisfied.push((key, template)),
        }
    }
    let Some((base, token)) = &call.fhir else {
        for (key, _) in &unsatisfied {
            notes.push(format!("`{key}` was not prefetched and no FHIR server was given"));
        }
        return (resources, notes);
    };
    let server = Server { base, token };
    let mut queries = Vec::new();
    for (key, template) in unsatisfied {
        match fetch::fill(&template, &call.context) {
            Some(query) => queries.push((key, query)),
            None => notes.push(format!("`{key}`: the context lacks what its query needs")),
        }
    }
    let limit = state.config.limits.fhir_bytes;
    let fetched = queries.iter().map(|(_, query)| fetch::get(&state.client, &server, query, limit));
    for ((key, _), result) in queries.iter().zip(join_all(fetched).await) {
        match result {
            Ok(value) => resources.push(value),
            Err(e) => {
                eprintln!("kap cds: {} hookInstance={}: fetch `{key}`: {e}", config.id, call.hook_instance);
                notes.push(format!("`{key}`: {e}"));
            }
        }
    }
    (resources, notes)
}

/// Runs the futures concurrently (the queries are few, one per prefetch template, each with
/// its own timeout) and gives their results in order.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => done = false,
                }
            }
        }
        if done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// The resources of `context.draftOrders` (a Bundle), for the order hooks.
fn draft_orders(context: &Map<String, Value>) -> Vec<Value> {
    let entries = context.get("draftOrders").and_then(|b| b.get("entry")).and_then(Value::as_array);
    entries.into_iter().flatten().filter_map(|e| e.get("resource").cloned()).collect()
}
