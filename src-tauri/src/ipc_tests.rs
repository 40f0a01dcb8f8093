//! The commands driven through Tauri's IPC on its mock runtime, as the window calls
//! them: arguments as JSON through the invoke handler, answers and errors as the window
//! receives them. The WebDriver suite (tests/e2e) drives the real window; these run in
//! `cargo test` and reach every command's argument parsing and error mapping.

use crate::state::AppState;
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};

struct Harness {
    webview: tauri::WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = tessera_core::VaultPaths::in_dir(dir.path().join("vault"))
        .with_state(dir.path().join("state"));
    let app = crate::with_commands(mock_builder(), AppState::new(paths))
        .build(mock_context(noop_assets()))
        .expect("app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    Harness {
        webview,
        _app: app,
        _dir: dir,
    }
}

impl Harness {
    /// Invokes `cmd` with `args` as the window does; the answer or the error as JSON.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        tauri::test::get_ipc_response(&self.webview, request)
            .map(|body| body.deserialize::<Value>().expect("an answer in JSON"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(answer) => panic!("{cmd} answered {answer} where it should fail"),
            Err(err) => err,
        }
    }

    /// A password vault (no keyring needed), open, its recovery kit kept.
    fn with_vault(self) -> Self {
        let created = self.ok(
            "create_vault",
            json!({ "protection": "password", "password": "correct horse battery" }),
        );
        assert_eq!(created["status"]["state"], "unlocked", "{created}");
        assert_eq!(created["status"]["recovery"], "unconfirmed", "{created}");
        let key = created["kit"]["recovery_key"].as_str().unwrap_or_default();
        assert!(key.starts_with("TSR-"), "the kit carries the recovery key");
        let status = self.ok("confirm_recovery_kit", json!({}));
        assert_eq!(status["recovery"], "confirmed", "{status}");
        self
    }
}

fn personal(name: &str) -> Value {
    json!({ "request": {
        "kind": "personal", "name": name, "description": "", "expires": "30d",
        "apis": [], "projects": [], "users": [], "service_account": null, "rsa_bits": null,
        "jwt_alg": null, "rotation_days": null, "value": null, "service": null
    }})
}

fn search(text: &str) -> Value {
    json!({ "request": {
        "text": text, "kind": null, "status": null, "sort": "relevance", "offset": 0, "limit": 50
    }})
}

#[test]
fn a_token_lives_through_the_commands_and_its_secret_crosses_only_at_creation() {
    let app = harness();
    assert_eq!(app.ok("app_status", json!({}))["state"], "no_vault");
    let app = app.with_vault();
    let created = app.ok("create_token", personal("ci deploy"));
    let secret = created["secret"]
        .as_str()
        .expect("the new secret, once")
        .to_string();
    let id = created["token"]["id"].as_str().expect("id").to_string();
    assert!(secret.starts_with("tsp_"), "{created}");
    let page = app.ok("search_tokens", search("cid"));
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["rows"][0]["name"], "ci deploy");
    for (cmd, args) in [
        ("search_tokens", search("")),
        ("get_token", json!({ "id": id })),
        ("token_counts", json!({})),
        ("expiring_tokens", json!({})),
        (
            "audit_events",
            json!({ "query": { "action": null, "token": null, "failed_only": false, "limit": 50 } }),
        ),
    ] {
        let answer = app.ok(cmd, args).to_string();
        assert!(
            !answer.contains(&secret),
            "{cmd} handed out the secret: {answer}"
        );
    }
    let row = app.ok("revoke_token", json!({ "id": id }));
    assert_eq!(row["status"], "revoked", "{row}");
    app.ok("delete_token", json!({ "id": id }));
    assert_eq!(app.ok("search_tokens", search(""))["total"], 0);
    let events = app.ok(
        "audit_events",
        json!({ "query": { "action": "delete", "token": null, "failed_only": false, "limit": 50 } }),
    );
    assert_eq!(events[0]["action"], "delete", "{events}");
    assert_eq!(events[0]["outcome"], "ok", "{events}");
}

#[test]
fn bad_input_over_ipc_is_a_typed_error_and_changes_nothing() {
    let app = harness().with_vault();
    app.ok("create_token", personal("billing"));
    // An unknown order, kind or action is refused, not read as a default.
    for (cmd, args) in [
        (
            "search_tokens",
            json!({ "request": {
            "text": "", "kind": null, "status": null, "sort": "bogus", "offset": 0, "limit": 50 } }),
        ),
        (
            "create_token",
            json!({ "request": { "kind": "root", "name": "x" } }),
        ),
        (
            "audit_events",
            json!({ "query": {
            "action": "lock", "token": null, "failed_only": false, "limit": 50 } }),
        ),
    ] {
        let err = app.err(cmd, args);
        assert!(err.to_string().contains("unknown variant"), "{cmd}: {err}");
    }
    // Errors the core raises cross as { kind, message, field }.
    let taken = app.err("create_token", personal("BILLING"));
    assert_eq!(taken["kind"], "name_taken", "{taken}");
    let mut bad = personal("new one");
    bad["request"]["expires"] = json!("tomorrowish");
    let invalid = app.err("create_token", bad);
    assert_eq!(
        (invalid["kind"].clone(), invalid["field"].clone()),
        (json!("invalid"), json!("expiry")),
        "{invalid}"
    );
    let missing = app.err("revoke_token", json!({ "id": "no such token" }));
    assert_eq!(missing["kind"], "not_found", "{missing}");
    assert_eq!(app.ok("search_tokens", search(""))["total"], 1);
}

#[test]
fn a_locked_app_answers_locked_and_unlocks_only_with_its_password() {
    let app = harness().with_vault();
    app.ok("create_token", personal("staging"));
    assert_eq!(app.ok("lock", json!({}))["state"], "locked");
    for (cmd, args) in [
        ("search_tokens", search("")),
        ("create_token", personal("while locked")),
        ("copy_secret", json!({ "id": "staging" })),
    ] {
        assert_eq!(app.err(cmd, args)["kind"], "locked", "{cmd}");
    }
    let wrong = app.err("unlock", json!({ "password": "not the password" }));
    assert_eq!(wrong["kind"], "wrong_password", "{wrong}");
    let status = app.ok("unlock", json!({ "password": "correct horse battery" }));
    assert_eq!(status["state"], "unlocked");
    assert_eq!(app.ok("search_tokens", search("stag"))["total"], 1);
}
