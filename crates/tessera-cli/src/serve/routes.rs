//! The HTTP side of `tessera serve`: the four routes, HTTP Basic client
//! authentication, and the answers' shapes (RFC 7662, RFC 7009, RFC 7517, RFC 8414).

use super::Service;
use crate::output::note;
use axum::Json;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tessera_core::audit::AuditOutcome;
use tessera_core::clients::ServeClient;
use zeroize::Zeroize as _;

/// Largest request body: a form with one token (JWTs are at most 8 KiB).
const MAX_BODY: usize = 16 * 1024;

pub(crate) fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/introspect", post(introspect))
        .route("/revoke", post(revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(service)
}

/// The form of `POST /introspect` and `POST /revoke`. `token_type_hint` (RFC 7662
/// §2.1, RFC 7009 §2.1) is accepted and, as those RFCs allow, not needed: a token's
/// kind is known from the vault.
#[derive(serde::Deserialize)]
struct TokenForm {
    token: String,
    /// Tessera's extension: the API the token is presented to.
    #[serde(default)]
    api: Option<String>,
    /// Tessera's extension: the user it is presented for.
    #[serde(default)]
    user: Option<String>,
}

impl Drop for TokenForm {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

/// JSON that no cache may keep.
fn answer(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    answer(
        status,
        json!({ "error": code, "error_description": description }),
    )
}

/// The vault's thread is gone (it panicked): nothing can be answered.
fn unavailable() -> Response {
    server_error(&"the vault is unavailable after an earlier failure")
}

fn server_error(err: &dyn std::fmt::Display) -> Response {
    note(&format!("error: {err}"));
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the vault could not answer; see the service's output",
    )
}

fn unauthorized(description: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Basic realm="tessera", charset="UTF-8""#),
    );
    response
}

/// `name:secret` from an `Authorization: Basic` header.
type Credentials = (String, zeroize::Zeroizing<String>);

fn basic_credentials(headers: &HeaderMap) -> Option<Credentials> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?,
    );
    let text = std::str::from_utf8(&decoded).ok()?;
    let (name, secret) = text.split_once(':')?;
    Some((
        name.to_string(),
        zeroize::Zeroizing::new(secret.to_string()),
    ))
}

/// The client a request authenticates as, or the 401 (or 429) to answer. Failures are
/// audited and, per caller address, limited.
#[expect(
    clippy::result_large_err,
    reason = "the refusal is the response itself, answered at once"
)]
fn authenticate(
    service: &Service,
    vault: &mut tessera_core::Vault,
    keys: &super::Keys,
    peer: SocketAddr,
    credentials: Option<Credentials>,
) -> Result<ServeClient, Response> {
    if !service.limits.peer_may_try(peer.ip()) {
        return Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed authentications from this address; wait a few seconds",
        ));
    }
    let Some((name, secret)) = credentials else {
        service.limits.peer_failed(peer.ip());
        vault.note_serve_event(
            AuditOutcome::Failed,
            format!("a call from {peer} without client credentials"),
        );
        return Err(unauthorized(
            "authenticate with HTTP Basic as a client (tessera client add NAME)",
        ));
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(err) => return Err(server_error(err)),
    };
    match keys.authenticate(&name, &secret) {
        Some(client) => {
            if service.limits.client_may(&client.name) {
                Ok(client)
            } else {
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "this client is over its requests per second (tessera serve --rate-limit)",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                Err(response)
            }
        }
        None => {
            service.limits.peer_failed(peer.ip());
            // The name is the caller's claim; it is printable ASCII or it is dropped.
            let shown: String = name
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect();
            vault.note_serve_event(
                AuditOutcome::Failed,
                format!("wrong credentials for client '{shown}' from {peer}"),
            );
            Err(unauthorized("unknown client or wrong secret"))
        }
    }
}

fn bad_form(rejection: &FormRejection) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!(
            "send application/x-www-form-urlencoded with a token field ({})",
            rejection.body_text()
        ),
    )
}

/// Runs `respond` on the vault's thread for a request of an authenticated client with
/// a well-formed form; otherwise answers 401, 429 or 400.
async fn for_client(
    service: Arc<Service>,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
    respond: impl FnOnce(&mut tessera_core::Vault, ServeClient, TokenForm) -> Response + Send + 'static,
) -> Response {
    let credentials = basic_credentials(headers);
    let shared = Arc::clone(&service);
    service
        .call(move |vault, keys| {
            let client = match authenticate(&shared, vault, keys, peer, credentials) {
                Ok(client) => client,
                Err(response) => return response,
            };
            match form {
                Ok(Form(form)) => respond(vault, client, form),
                Err(rejection) => bad_form(&rejection),
            }
        })
        .await
        .unwrap_or_else(unavailable)
}

/// `POST /introspect` (RFC 7662).
async fn introspect(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    for_client(
        service,
        peer,
        &headers,
        form,
        |vault, client, form| match vault.introspect(
            &form.token,
            form.api.as_deref(),
            form.user.as_deref(),
            &client.name,
        ) {
            Ok(answer_) => answer(StatusCode::OK, json!(answer_)),
            Err(err) => server_error(&err),
        },
    )
    .await
}

/// `POST /revoke` (RFC 7009): 200 whether or not the token was this vault's.
async fn revoke(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    for_client(service, peer, &headers, form, |vault, client, form| {
        if !client.can_revoke {
            vault.note_serve_event(
                AuditOutcome::Failed,
                format!("client '{}' may not revoke tokens", client.name),
            );
            return error(
                StatusCode::FORBIDDEN,
                "unauthorized_client",
                "this client may not revoke tokens (add one with tessera client add NAME --can-revoke)",
            );
        }
        match vault.revoke_presented(&form.token, &client.name) {
            Ok(_) => answer(StatusCode::OK, json!({})),
            Err(err) => server_error(&err),
        }
    })
    .await
}

/// `GET /.well-known/jwks.json`: public keys, for anyone who can reach the service.
async fn jwks(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    service
        .call(move |vault, _| match vault.jwks() {
            Ok(set) => {
                vault
                    .note_serve_event(AuditOutcome::Ok, format!("public keys fetched from {peer}"));
                let mut response = Json(json!(set)).into_response();
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("max-age=60"),
                );
                response
            }
            Err(err) => server_error(&err),
        })
        .await
        .unwrap_or_else(unavailable)
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414). The issuer is the one
/// the vault's JWTs carry, `tessera:<vault id>`, not a URL: Tessera issues tokens
/// itself and has no authorization endpoint.
async fn metadata(State(service): State<Arc<Service>>) -> Response {
    let base = &service.base;
    answer(
        StatusCode::OK,
        json!({
            "issuer": service.issuer,
            "introspection_endpoint": format!("{base}/introspect"),
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
            "revocation_endpoint": format!("{base}/revoke"),
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "response_types_supported": [],
            "grant_types_supported": [],
        }),
    )
}
