//! `tessera client add|list|remove`: who may call `tessera serve`; and `tessera jwks`,
//! the public keys it publishes.

use crate::cli::ClientAction;
use crate::commands::{Context, Exit};
use crate::output::{self, line, note, print_json};
use serde_json::json;
use tessera_core::Result;

pub fn run(ctx: &mut Context, action: ClientAction) -> Result<Exit> {
    let mut vault = ctx.open()?;
    match action {
        ClientAction::Add { name, can_revoke } => {
            let (client, secret) = vault.add_serve_client(&name, can_revoke)?;
            note(&format!(
                "Client '{}' added{}. Its secret is below, shown this once: give it to the API as the HTTP Basic password, with '{}' as the user name.",
                client.name,
                if client.can_revoke {
                    " (it may revoke tokens)"
                } else {
                    ""
                },
                client.name
            ));
            // `client add` exists to print the new secret, like `get`.
            line(secret.expose());
        }
        ClientAction::List { json } => {
            let clients = vault.serve_clients()?;
            if json {
                print_json(&json!(clients));
            } else if clients.is_empty() {
                note("No clients yet: add one with `tessera client add NAME`.");
            } else {
                let cells: Vec<Vec<String>> = clients
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            if c.can_revoke {
                                "introspect, revoke"
                            } else {
                                "introspect"
                            }
                            .into(),
                            output::date(c.created_at),
                        ]
                    })
                    .collect();
                output::emit(&output::table(&["NAME", "MAY", "ADDED"], &cells, None));
            }
        }
        ClientAction::Remove { name } => {
            let client = vault.remove_serve_client(&name)?;
            note(&format!(
                "Client '{}' removed: its secret no longer works.",
                client.name
            ));
        }
    }
    Ok(Exit::Ok)
}

pub fn jwks(ctx: &mut Context) -> Result<Exit> {
    let set = ctx.open()?.jwks()?;
    print_json(&json!(set));
    Ok(Exit::Ok)
}
