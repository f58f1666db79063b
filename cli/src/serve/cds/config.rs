//! The service's one configuration file (TOML): the protocol, the FHIR mapping, the
//! services exposed, the EHRs trusted (issuers and their keys), the service's own URL and
//! the limits. Paths in it are relative to the file's folder.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The rule file.
    pub protocol: PathBuf,
    /// The FHIR mapping file.
    pub mapping: PathBuf,
    /// The service's public base URL, as EHRs call it (`https://cds.example.org`): a token's
    /// `aud` must be `BASE/cds-services` or `BASE/cds-services/{id}`.
    pub base_url: String,
    /// Accept calls without a token. For a local trial only: never in production.
    #[serde(default)]
    pub allow_unsigned: bool,
    /// Where the cards' source links (the protocol's page, for people), if anywhere.
    #[serde(default)]
    pub source_url: Option<String>,
    /// Limits on requests and on calls to FHIR servers.
    #[serde(default)]
    pub limits: Limits,
    /// The services exposed, one per decision and hook.
    #[serde(rename = "service", default)]
    pub services: Vec<ServiceConfig>,
    /// The EHRs trusted: issuers and their keys.
    #[serde(rename = "issuer", default)]
    pub issuers: Vec<IssuerConfig>,
}

/// One CDS service: a decision of the protocol answered on a hook.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Its id, the last segment of its URL.
    pub id: String,
    /// The hook it answers: `patient-view`, `order-select` or `order-sign`.
    pub hook: String,
    /// The protocol's decision it evaluates.
    pub decision: String,
    /// Its title in the EHR.
    pub title: String,
    /// What it does, for the EHR's administrators.
    pub description: String,
}

/// A trusted issuer of tokens (an EHR) and the public keys its tokens are signed with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The `iss` of its tokens.
    pub iss: String,
    /// PEM files of public keys (EC or RSA); a key read from a PEM file matches any `kid`.
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// A JWK Set file; its keys match by `kid`.
    #[serde(default)]
    pub jwks: Option<PathBuf>,
}

/// Limits; each has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The largest request body accepted, in bytes (413 above it).
    pub body_bytes: usize,
    /// The longest a request may take, in seconds.
    pub request_seconds: u64,
    /// The longest a connection to a FHIR server may take to open, in seconds.
    pub fhir_connect_seconds: u64,
    /// The longest a FHIR query may take, in seconds.
    pub fhir_seconds: u64,
    /// The largest FHIR answer read, in bytes.
    pub fhir_bytes: usize,
    /// How many token ids (`jti`) are remembered to refuse a replay.
    pub remembered_tokens: usize,
    /// Clock skew tolerated on `exp`, in seconds.
    pub leeway_seconds: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 1024 * 1024,
            request_seconds: 15,
            fhir_connect_seconds: 3,
            fhir_seconds: 10,
            fhir_bytes: 8 * 1024 * 1024,
            remembered_tokens: 100_000,
            leeway_seconds: 60,
        }
    }
}

/// The hooks a service may answer.
pub const HOOKS: [&str; 3] = ["patient-view", "order-select", "order-sign"];

impl Config {
    /// Reads and checks the configuration file; an error names the file and the problem.
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        config.protocol = folder.join(&config.protocol);
        config.mapping = folder.join(&config.mapping);
        for issuer in &mut config.issuers {
            issuer.keys = issuer.keys.iter().map(|k| folder.join(k)).collect();
            issuer.jwks = issuer.jwks.as_ref().map(|j| folder.join(j));
        }
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(format!("base_url `{}` is not an http(s) URL", self.base_url));
        }
        if self.services.is_empty() {
            return Err("no [[service]] is exposed".into());
        }
        let mut ids = std::collections::HashSet::new();
        for s in &self.services {
            if !HOOKS.contains(&s.hook.as_str()) {
                return Err(format!("service `{}`: hook `{}` is not one of {}", s.id, s.hook, HOOKS.join(", ")));
            }
            let id_ok = !s.id.is_empty() && s.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !id_ok || !ids.insert(s.id.as_str()) {
                return Err(format!(
                    "service id `{}` is empty, repeated or not made of letters, digits, - and _",
                    s.id
                ));
            }
        }
        if self.limits.body_bytes == 0 || self.limits.remembered_tokens == 0 {
            return Err("limits.body_bytes and limits.remembered_tokens must be above 0".into());
        }
        Ok(())
    }
}
