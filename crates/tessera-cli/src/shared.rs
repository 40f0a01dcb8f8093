//! `tessera identity`, `tessera vault …` and `tessera sync`: shared vaults kept in step
//! through a PostgreSQL server (crate `tessera-sync`).

use crate::cli::{ConflictAction, SharedMemberAction, SharedVaultAction};
use crate::commands::{Context, Exit};
use crate::output::{self, line, note, print_json};
use serde_json::json;
use tessera_core::Result;
use tessera_core::shared::Role;

pub fn identity(ctx: &mut Context, json: bool) -> Result<Exit> {
    let mut vault = ctx.open_own()?;
    let identity = vault.identity()?;
    let public = identity.public();
    if json {
        print_json(&json!({
            "identity": public.to_string(),
            "fingerprint": public.fingerprint(),
        }));
    } else {
        note(&format!(
            "Fingerprint: {}  (read it to the admin who adds you, who sees the same)",
            public.fingerprint()
        ));
        line(&public.to_string());
    }
    Ok(Exit::Ok)
}

pub fn run(ctx: &mut Context, action: SharedVaultAction) -> Result<Exit> {
    let mut vault = ctx.open_own()?;
    match action {
        SharedVaultAction::Create { name, server } => {
            let created = tessera_sync::create(&mut vault, &name, &server)?;
            note(&format!(
                "Shared vault '{}' created on {}; you are its admin. Add members with `tessera vault member add {} IDENTITY`.",
                created.name, created.server, created.name
            ));
        }
        SharedVaultAction::Join { invite, server } => {
            let (joined, report) = tessera_sync::join(&mut vault, &invite, server.as_deref())?;
            note(&format!(
                "Joined shared vault '{}': {} record{} pulled. Use it with `tessera --vault {} …`.",
                joined.name,
                report.pulled,
                if report.pulled == 1 { "" } else { "s" },
                joined.name
            ));
        }
        SharedVaultAction::List { json } => {
            let vaults = vault.shared_vaults()?;
            if json {
                let rows: Vec<_> = vaults
                    .iter()
                    .map(|v| {
                        json!({
                            "name": v.name,
                            "vault_id": v.vault_id,
                            "server": v.server,
                            "joined_at": v.joined_at,
                        })
                    })
                    .collect();
                print_json(&json!(rows));
            } else if vaults.is_empty() {
                note(
                    "No shared vaults yet: create one with `tessera vault create NAME --server URL`, or join one with an invite.",
                );
            } else {
                let cells: Vec<Vec<String>> = vaults
                    .iter()
                    .map(|v| vec![v.name.clone(), v.server.clone(), output::date(v.joined_at)])
                    .collect();
                output::emit(&output::table(&["NAME", "SERVER", "JOINED"], &cells, None));
            }
        }
        SharedVaultAction::Set { name, stale_after } => {
            if let Some(seconds) = stale_after {
                if seconds < 1 {
                    return Err(tessera_core::Error::invalid(
                        "stale-after",
                        "give a number of seconds of at least 1",
                    ));
                }
                let mut replica = vault.open_shared(&name)?;
                replica.set_sync_state(&[("stale_after", seconds.to_string().as_bytes())])?;
                note(&format!(
                    "Verify on '{name}' fails closed after {seconds} s without reaching its server."
                ));
            }
        }
        SharedVaultAction::Member(args) => match args.action {
            SharedMemberAction::Add {
                name,
                identity,
                role,
            } => {
                let role: Role = role.parse()?;
                let member: tessera_core::shared::PublicIdentity = identity.parse()?;
                let invite = tessera_sync::add_member(&mut vault, &name, &identity, role)?;
                note(&format!(
                    "Added {} as {role} of '{name}'. Check the fingerprint with them: {}. Give them the invite below; they join with `tessera vault join INVITE`.",
                    member.fingerprint(),
                    member.fingerprint()
                ));
                // The invite (no password in it) is what the command is for.
                line(&invite.to_text());
            }
            SharedMemberAction::Remove {
                name,
                identity,
                json,
            } => {
                let removed = tessera_sync::remove_member(&mut vault, &name, &identity)?;
                if json {
                    let names: Vec<&str> =
                        removed.readable.iter().map(|r| r.name.as_str()).collect();
                    print_json(&json!({"epoch": removed.epoch, "to_rotate": names}));
                } else {
                    note(&format!(
                        "Removed from '{name}': what is written from now on is sealed with a new key they do not hold (epoch {}).",
                        removed.epoch
                    ));
                    if !removed.readable.is_empty() {
                        note(&format!(
                            "They could read {} token{}; rotate each (tessera --vault {name} rotate NAME):",
                            removed.readable.len(),
                            if removed.readable.len() == 1 { "" } else { "s" }
                        ));
                        for token in &removed.readable {
                            line(&token.name);
                        }
                    }
                }
            }
            SharedMemberAction::List { name, json } => {
                let members = tessera_sync::members(&mut vault, &name)?;
                let rows: Vec<(String, String, Role)> = members
                    .iter()
                    .map(|m| {
                        let fingerprint = m
                            .identity
                            .parse::<tessera_core::shared::PublicIdentity>()
                            .map(|p| p.fingerprint())
                            .unwrap_or_default();
                        (m.identity.clone(), fingerprint, m.role)
                    })
                    .collect();
                if json {
                    let out: Vec<_> = rows
                        .iter()
                        .map(|(identity, fingerprint, role)| {
                            json!({"identity": identity, "fingerprint": fingerprint, "role": role.to_string()})
                        })
                        .collect();
                    print_json(&json!(out));
                } else {
                    let cells: Vec<Vec<String>> = rows
                        .iter()
                        .map(|(_, fingerprint, role)| vec![fingerprint.clone(), role.to_string()])
                        .collect();
                    output::emit(&output::table(&["FINGERPRINT", "ROLE"], &cells, None));
                }
            }
        },
    }
    Ok(Exit::Ok)
}

pub fn sync(ctx: &mut Context, name: Option<String>, json: bool, watch: bool) -> Result<Exit> {
    let mut vault = ctx.open_own()?;
    if let (true, Some(name)) = (watch, &name) {
        return watch_vault(&mut vault, name);
    }
    let names: Vec<String> = match name {
        Some(name) => vec![vault.shared_vault(&name)?.name],
        None => vault.shared_vaults()?.into_iter().map(|v| v.name).collect(),
    };
    let mut out = Vec::new();
    for name in names {
        let report = tessera_sync::sync(&mut vault, &name)?;
        if !json {
            let mut text = format!(
                "'{name}': {} pulled, {} pushed",
                report.pulled, report.pushed
            );
            if report.deferred > 0 {
                text.push_str(&format!(", {} to push at the next sync", report.deferred));
            }
            note(&text);
            for token in &report.conflicts {
                note(&format!(
                    "Conflict: '{token}' was changed here and by another member in the same field; theirs was kept (yours back: `tessera --vault {name} conflicts resolve '{token}' --keep mine`)."
                ));
            }
        }
        out.push(json!({
            "vault": name,
            "pulled": report.pulled,
            "pushed": report.pushed,
            "deferred": report.deferred,
            "conflicts": report.conflicts,
            "roster_version": report.roster_version,
        }));
    }
    if json {
        print_json(&json!(out));
    }
    Ok(Exit::Ok)
}

/// `tessera sync NAME --watch`: rounds until Ctrl-C, SIGTERM or SIGHUP.
fn watch_vault(vault: &mut tessera_core::Vault, name: &str) -> Result<Exit> {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(|e| {
            tessera_core::Error::invalid("signals", format!("cannot watch for Ctrl-C: {e}"))
        })?;
    }
    let name = vault.shared_vault(name)?.name;
    note(&format!("Keeping '{name}' in step; Ctrl-C stops."));
    tessera_sync::watch(
        vault,
        &name,
        std::time::Duration::from_secs(60),
        &stop,
        |round| match round {
            Ok(report) if report.pulled + report.pushed > 0 || !report.conflicts.is_empty() => {
                note(&format!(
                    "'{name}': {} pulled, {} pushed",
                    report.pulled, report.pushed
                ));
                for token in &report.conflicts {
                    note(&format!(
                        "Conflict: '{token}' was changed here and by another member in the same field; theirs was kept."
                    ));
                }
            }
            Ok(_) => {}
            Err(err) => note(&format!("'{name}': {err}; trying again")),
        },
    )?;
    Ok(Exit::Interrupted)
}

/// `tessera --vault NAME conflicts [resolve TOKEN --keep mine|theirs]`.
pub fn conflicts(ctx: &mut Context, action: Option<ConflictAction>, json: bool) -> Result<Exit> {
    let mut vault = ctx.open()?;
    if let Some(ConflictAction::Resolve { token, keep }) = action {
        let keep_mine = keep == "mine";
        let resolved = vault.resolve_conflict(&token, keep_mine)?;
        note(&format!(
            "'{}': {} kept{}",
            resolved.name,
            if keep_mine { "yours" } else { "theirs" },
            if keep_mine {
                "; it reaches the other members at the next sync"
            } else {
                ""
            }
        ));
        return Ok(Exit::Ok);
    }
    let conflicts = vault.conflicts()?;
    if json {
        let rows: Vec<_> = conflicts
            .iter()
            .map(|c| json!({"token_id": c.token_id, "name": c.name, "at": c.at, "fields": c.fields()}))
            .collect();
        print_json(&json!(rows));
    } else if conflicts.is_empty() {
        note("No conflicts.");
    } else {
        let cells: Vec<Vec<String>> = conflicts
            .iter()
            .map(|c| vec![c.name.clone(), c.fields().join(", "), output::date(c.at)])
            .collect();
        output::emit(&output::table(&["TOKEN", "FIELDS", "SINCE"], &cells, None));
        let name = ctx.shared.as_deref().unwrap_or("NAME");
        note(&format!(
            "Keep yours with `tessera --vault {name} conflicts resolve TOKEN --keep mine` (or --keep theirs)."
        ));
    }
    Ok(Exit::Ok)
}
