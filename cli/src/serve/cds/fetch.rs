//! Fetching what the EHR did not prefetch from its FHIR server, with the bearer token it
//! handed over (`fhirAuthorization`), within the configured time and size limits.

use super::config::Limits;
use serde_json::Value;
use std::time::Duration;

/// The HTTP client for FHIR servers: rustls, connect and total timeouts, no redirects
/// (a token must not follow one to another host).
pub fn client(limits: &Limits) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(limits.fhir_connect_seconds))
        .timeout(Duration::from_secs(limits.fhir_seconds))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("kap/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up the FHIR client: {e}"))
}

/// A FHIR server and the token to present to it.
pub struct Server<'a> {
    /// Its base URL (`fhirServer`).
    pub base: &'a str,
    /// The access token (`fhirAuthorization.access_token`).
    pub token: &'a str,
}

/// Fills the prefetch tokens of `template` (`{{context.patientId}}`...) from the hook's
/// context; `None` when a token names no primitive member of the context.
pub fn fill(template: &str, context: &serde_json::Map<String, Value>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start)?);
        let after = rest.get(start + 2..)?;
        let end = after.find("}}")?;
        let name = after.get(..end)?.trim();
        let value = match context.get(name.strip_prefix("context.")?)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        out.extend(form_urlencode(&value));
        rest = after.get(end + 2..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// Percent-encodes what could change a query's meaning (`&`, `#`, `?`, `/`, spaces...).
fn form_urlencode(value: &str) -> impl Iterator<Item = char> + '_ {
    value.bytes().flat_map(|b| {
        let plain = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        let text = if plain { (b as char).to_string() } else { format!("%{b:02X}") };
        text.chars().collect::<Vec<_>>()
    })
}

/// Gets one FHIR query (`Observation?patient=123`) relative to the server's base URL. The
/// error names the query's resource type and the failure, never the answer's content.
pub async fn get(
    client: &reqwest::Client,
    server: &Server<'_>,
    query: &str,
    max_bytes: usize,
) -> Result<Value, String> {
    let url = format!("{}/{}", server.base.trim_end_matches('/'), query.trim_start_matches('/'));
    let what = query.split(['/', '?']).next().unwrap_or("resource");
    let mut response = client
        .get(&url)
        .bearer_auth(server.token)
        .header(reqwest::header::ACCEPT, "application/fhir+json, application/json")
        .send()
        .await
        .map_err(|e| format!("{what}: the FHIR server cannot be reached ({})", kind(&e)))?;
    if !response.status().is_success() {
        return Err(format!("{what}: the FHIR server answered {}", response.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{what}: {}", kind(&e)))? {
        if body.len() + chunk.len() > max_bytes {
            return Err(format!("{what}: the FHIR server's answer is larger than {max_bytes} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|_| format!("{what}: the FHIR server's answer is not JSON"))
}

/// What went wrong with a request, in words that carry no URL or data.
fn kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn templates_are_filled_from_the_context() {
        let context = serde_json::json!({"patientId": "p 1&x", "userId": "Practitioner/9", "n": {"a": 1}});
        let context = context.as_object().unwrap();
        assert_eq!(fill("Patient/{{context.patientId}}", context).unwrap(), "Patient/p%201%26x");
        assert_eq!(
            fill("Observation?patient={{context.patientId}}&code=29463-7", context).unwrap(),
            "Observation?patient=p%201%26x&code=29463-7"
        );
        assert_eq!(fill("X?p={{context.missing}}", context), None);
        assert_eq!(fill("X?p={{context.n}}", context), None);
        assert_eq!(fill("X?p={{userPractitionerId}}", context), None);
        assert_eq!(fill("Patient?_count=1", context).unwrap(), "Patient?_count=1");
    }
}
