//! What the Tauri commands do with their arguments (crates/tessera-ipc): JSON as the
//! window sends it, deserialized into the command's request type as Tauri does,
//! converted into the core's terms and run against a vault: create, edit, search, the
//! audit log, catalog entries, name checks. The first byte picks the command. No panic,
//! and a refused request never repeats a pasted token value in its error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use tessera_core::Vault;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_ipc::dto::{AuditQuery, CatalogInput, CreateRequest, EditRequest, SearchRequest};
use tessera_ipc::requests::catalog;

struct Fixture {
    _dir: tempfile::TempDir,
    vault: Vault,
    /// The token every edit request is applied to.
    target: String,
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (dir, mut vault) = tessera_fuzz::temp_vault();
        for (which, name) in [
            (Catalog::Api, "billing"),
            (Catalog::Project, "apollo"),
            (Catalog::User, "ada"),
            (Catalog::ServiceAccount, "ci-bot"),
        ] {
            vault
                .catalog_add(which, CatalogEntry::named(name))
                .expect("catalog");
        }
        let target = vault
            .create_token(NewToken::new(TokenKind::Jwt, "edited"))
            .expect("token")
            .token
            .id;
        Mutex::new(Fixture {
            _dir: dir,
            vault,
            target,
        })
    })
}

/// catalog_add's arguments.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogAdd {
    catalog_name: String,
    entry: CatalogInput,
}

/// name_available's arguments.
#[derive(serde::Deserialize)]
struct NameAvailable {
    name: String,
    except: Option<String>,
}

// The fixture (with RSA keys, slow under coverage instrumentation) is made before
// fuzzing starts, not in the first input, whose time limit it would eat.
fuzz_target!(init: { fixture(); }, |data: &[u8]| {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    let mut fixture = fixture().lock().expect("fixture");
    let target = fixture.target.clone();
    let vault = &mut fixture.vault;
    let now = vault.now();
    match which % 6 {
        0 => {
            let Ok(request) = serde_json::from_slice::<CreateRequest>(json) else {
                return;
            };
            let pasted = request.value.clone().filter(|v| v.len() >= 8);
            let result = request.into_new_token(now).and_then(|token| {
                // RSA key generation is too slow to run per input; the conversion ran.
                if token.kind == TokenKind::Rsa {
                    return Ok(None);
                }
                vault.create_token(token).map(Some)
            });
            match result {
                Ok(Some(issued)) => {
                    // Keep the vault small: each created token goes again.
                    vault.revoke_token(&issued.token.id).expect("revoke");
                    vault.delete_token(&issued.token.id).expect("delete");
                }
                Ok(None) => {}
                Err(err) => {
                    if let Some(value) = pasted {
                        assert!(
                            !err.to_string().contains(&value),
                            "a pasted token value is in an error"
                        );
                    }
                }
            }
        }
        1 => {
            if let Ok(request) = serde_json::from_slice::<EditRequest>(json)
                && let Ok(changes) = request.into_changes(now)
            {
                let _ = vault.modify_token(&target, changes);
            }
        }
        2 => {
            if let Ok(request) = serde_json::from_slice::<SearchRequest>(json)
                && let Ok(query) = request.to_query()
                && let Ok(page) = vault.search(&query)
            {
                assert!(page.rows.len() <= 1_000, "a page larger than the cap");
            }
        }
        3 => {
            if let Ok(query) = serde_json::from_slice::<AuditQuery>(json) {
                let _ = vault.audit(&query.into_filter());
            }
        }
        4 => {
            if let Ok(args) = serde_json::from_slice::<CatalogAdd>(json)
                && let Ok(which) = catalog(&args.catalog_name)
                && let Ok(entry) = vault.catalog_add(which, args.entry.into_entry())
            {
                vault.catalog_remove(which, &entry.name).expect("remove");
            }
        }
        _ => {
            if let Ok(args) = serde_json::from_slice::<NameAvailable>(json) {
                let _ = vault.name_available(&args.name, args.except.as_deref());
            }
        }
    }
});
