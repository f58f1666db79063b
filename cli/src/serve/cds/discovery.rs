//! `GET /cds-services`: the services this server offers, each with the prefetch templates
//! its decision's FHIR mapping needs.

use super::Service;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// The discovery document. A token, when sent, is verified (`aud` = the discovery URL); the
/// document holds no patient data, so an EHR that sends none is answered too.
pub async fn discover(State(service): State<Service>, headers: HeaderMap) -> Response {
    let state = &service.0;
    if headers.contains_key(header::AUTHORIZATION) {
        let audience = [format!("{}/cds-services", state.config.base_url)];
        if let Err(refusal) = state.verifier.verify(&headers, &audience) {
            return refusal.into_response();
        }
    }
    let services: Vec<Value> = state
        .config
        .services
        .iter()
        .map(|s| {
            let prefetch: Map<String, Value> =
                state.mapping.prefetch(&s.decision).into_iter().map(|(k, q)| (k, Value::String(q))).collect();
            let mut service = json!({
                "hook": s.hook,
                "id": s.id,
                "title": s.title,
                "description": s.description,
            });
            if let (Some(object), false) = (service.as_object_mut(), prefetch.is_empty()) {
                object.insert("prefetch".into(), Value::Object(prefetch));
            }
            service
        })
        .collect();
    Json(json!({ "services": services })).into_response()
}
