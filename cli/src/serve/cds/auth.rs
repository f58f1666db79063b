//! Who is calling: the EHR's JSON Web Token (`Authorization: Bearer`), verified as CDS Hooks
//! requires: signed with an asymmetric key of a trusted issuer (PEM or JWK Set in the
//! configuration), `iss` trusted, `aud` the endpoint called, `exp` not past, `jti` never
//! seen before.
//!
//! jsonwebtoken checks the signature, `iss` and `aud`. It reads `exp` through
//! `deserialize_any`, which kap-engine's `arbitrary_precision` feature of serde_json turns
//! into a map, so `exp` is read and checked here, into a typed field.

use super::config::{Config, IssuerConfig};
use super::Refusal;
use axum::http::{header, HeaderMap, StatusCode};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The verifier of tokens: trusted issuers, their keys, and the token ids already seen.
pub struct Verifier {
    issuers: Vec<Issuer>,
    allow_unsigned: bool,
    leeway: u64,
    capacity: usize,
    /// `iss` + `jti` of the tokens accepted, with their expiry.
    seen: Mutex<HashMap<String, u64>>,
}

struct Issuer {
    iss: String,
    keys: Vec<Key>,
}

struct Key {
    /// The key's id; `None` for a key from a PEM file, which matches any `kid`.
    kid: Option<String>,
    key: DecodingKey,
}

/// The claims CDS Hooks requires.
#[derive(Debug, Deserialize)]
struct Claims {
    iss: Option<String>,
    exp: Option<u64>,
    jti: Option<String>,
}

/// Who called, once verified: the issuer, or nobody when unsigned calls are allowed.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's issuer; `None` for an unsigned call.
    pub iss: Option<String>,
}

fn refused(message: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, message)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Verifier {
    /// Loads the issuers' keys named in the configuration.
    pub fn load(config: &Config) -> Result<Verifier, String> {
        let issuers = config.issuers.iter().map(load_issuer).collect::<Result<Vec<_>, _>>()?;
        Ok(Verifier {
            issuers,
            allow_unsigned: config.allow_unsigned,
            leeway: config.limits.leeway_seconds,
            capacity: config.limits.remembered_tokens,
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Verifies the call's token for an endpoint whose URLs are `audiences`.
    pub fn verify(&self, headers: &HeaderMap, audiences: &[String]) -> Result<Caller, Refusal> {
        if self.allow_unsigned {
            return Ok(Caller { iss: None });
        }
        let value = headers.get(header::AUTHORIZATION).ok_or_else(|| refused("a Bearer token is required"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| refused("the Authorization header is not `Bearer TOKEN`"))?;
        let head = jsonwebtoken::decode_header(token).map_err(|_| refused("the token is not a JWT"))?;
        if matches!(head.alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(refused("the token is signed with a symmetric algorithm, which CDS Hooks forbids"));
        }
        let unverified = jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
            .map_err(|_| refused("the token's claims cannot be read"))?
            .claims;
        let iss = unverified.iss.ok_or_else(|| refused("the token has no `iss`"))?;
        let issuer =
            self.issuers.iter().find(|i| i.iss == iss).ok_or_else(|| refused("the token's issuer is not trusted"))?;
        let claims = issuer.verify(token, &head, audiences)?;
        let exp = claims.exp.ok_or_else(|| refused("the token has no `exp`"))?;
        if exp.saturating_add(self.leeway) < now() {
            return Err(refused("the token has expired"));
        }
        let jti = claims.jti.filter(|j| !j.is_empty()).ok_or_else(|| refused("the token has no `jti`"))?;
        self.remember(&format!("{iss} {jti}"), exp)?;
        Ok(Caller { iss: Some(iss) })
    }

    /// Records a token id until it expires; a token id seen before is a replay.
    fn remember(&self, id: &str, exp: u64) -> Result<(), Refusal> {
        let mut seen = self.seen.lock().map_err(|_| Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "try again"))?;
        let now = now();
        if seen.get(id).is_some_and(|&until| until.saturating_add(self.leeway) >= now) {
            return Err(refused("the token was already used (`jti` replayed)"));
        }
        if seen.len() >= self.capacity {
            let leeway = self.leeway;
            seen.retain(|_, until| until.saturating_add(leeway) >= now);
        }
        if seen.len() >= self.capacity {
            return Err(Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "too many tokens in flight; try again later"));
        }
        seen.insert(id.to_string(), exp);
        Ok(())
    }
}

impl Issuer {
    /// Checks the signature with each key that may have made it, then `iss` and `aud`.
    fn verify(&self, token: &str, head: &jsonwebtoken::Header, audiences: &[String]) -> Result<Claims, Refusal> {
        let mut validation = Validation::new(head.alg);
        // `exp` is checked by the caller (see the module's note); `iss` and `aud` here.
        validation.set_required_spec_claims(&["iss", "aud"]);
        validation.validate_exp = false;
        validation.set_issuer(&[&self.iss]);
        validation.set_audience(audiences);
        let candidates = self.keys.iter().filter(|k| k.kid.is_none() || k.kid == head.kid);
        let mut tried = false;
        for key in candidates {
            tried = true;
            match jsonwebtoken::decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => {
                    use jsonwebtoken::errors::ErrorKind;
                    match e.kind() {
                        ErrorKind::InvalidAudience => return Err(refused("the token's `aud` is not this endpoint")),
                        ErrorKind::InvalidIssuer => return Err(refused("the token's issuer is not trusted")),
                        ErrorKind::MissingRequiredClaim(_) => return Err(refused("the token has no `aud`")),
                        _ => {}
                    }
                }
            }
        }
        if !tried {
            return Err(refused("no key of the token's issuer has the token's `kid`"));
        }
        Err(refused("the token's signature does not verify"))
    }
}

fn load_issuer(config: &IssuerConfig) -> Result<Issuer, String> {
    let mut keys = Vec::new();
    for path in &config.keys {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read key {}: {e}", path.display()))?;
        let key = DecodingKey::from_ec_pem(&pem)
            .or_else(|_| DecodingKey::from_rsa_pem(&pem))
            .or_else(|_| DecodingKey::from_ed_pem(&pem))
            .map_err(|e| format!("{}: not a PEM public key (EC, RSA or Ed25519): {e}", path.display()))?;
        keys.push(Key { kid: None, key });
    }
    if let Some(path) = &config.jwks {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read JWK Set {}: {e}", path.display()))?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| format!("{}: not a JWK Set: {e}", path.display()))?;
        for jwk in &set.keys {
            let key =
                DecodingKey::from_jwk(jwk).map_err(|e| format!("{}: a key cannot be used: {e}", path.display()))?;
            keys.push(Key { kid: jwk.common.key_id.clone(), key });
        }
    }
    if keys.is_empty() {
        return Err(format!("issuer `{}` has no key (keys = [...] or jwks = ...)", config.iss));
    }
    Ok(Issuer { iss: config.iss.clone(), keys })
}
