//! One function per subcommand: parse the arguments into core types, call the core,
//! print the result.

use crate::cli::{AddArgs, AuditArgs, CatalogAction, Command, CreateArgs, EditArgs, ListArgs};
use crate::input::{self, Input};
use crate::output::{self, emit, line, note, print_json};
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;
use tessera_core::audit::AuditFilter;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::export::Provenance;
use tessera_core::header::Protection;
use tessera_core::imports::Format;
use tessera_core::keys::OsKeyring;
use tessera_core::lifecycle::{NewToken, Purpose, TokenChanges};
use tessera_core::search::{Hit, Page, Query};
use tessera_core::token::{Expiry, TokenKind};
use tessera_core::verify::Verification;
use tessera_core::{
    Consent, Error, NewProtection, RecoveryKey, RecoveryState, Result, Secret, Vault, VaultPaths,
};

/// What every command may need.
pub struct Context {
    pub paths: VaultPaths,
    pub input: Input,
    pub password_stdin: bool,
    pub keyring: OsKeyring,
    /// `--vault NAME`: token commands work in this shared vault's replica.
    pub shared: Option<String>,
}

/// The exit status of a command that did not fail.
pub enum Exit {
    Ok,
    /// `verify` found the token inactive.
    Inactive,
    /// A signal ended the command early (after cleaning up): 130, as a shell reports
    /// Ctrl-C.
    Interrupted,
    /// `run`: the status of the command it ran.
    Code(i32),
}

impl Context {
    /// The vault token commands work in: the person's own, or with `--vault NAME` that
    /// shared vault's replica.
    pub(crate) fn open(&mut self) -> Result<Vault> {
        let own = self.open_own()?;
        match self.shared.clone() {
            Some(name) => own.open_shared(&name),
            None => Ok(own),
        }
    }

    /// The person's own vault.
    pub(crate) fn open_own(&mut self) -> Result<Vault> {
        let password = self.password()?;
        let vault = Vault::open(&self.paths, &self.keyring, password.as_ref())?;
        // A vault made before recovery keys: remind a person, not a script.
        if !vault.has_recovery_key() && std::io::stderr().is_terminal() {
            note(
                "This vault has no recovery key: if its password or keyring entry is lost, so are its tokens. Make one with `tessera recovery-key --new`.",
            );
        }
        Ok(vault)
    }

    /// The master password, asked for only when the vault has one.
    fn password(&mut self) -> Result<Option<Secret>> {
        Ok(match self.paths.protection()? {
            Protection::Password => Some(input::password(&mut self.input, self.password_stdin)?),
            Protection::Keyring => None,
        })
    }
}

pub fn run(ctx: &mut Context, command: Command) -> Result<Exit> {
    match command {
        Command::Init { password, json } => init(ctx, password, json),
        Command::Recover { keyring } => recover(ctx, keyring),
        Command::RecoveryKey { new, kept, json } => recovery_key(ctx, new, kept, json),
        Command::AcceptRestore { yes } => accept_restore(ctx, yes),
        Command::Check => {
            ctx.open()?.check_integrity()?;
            note(
                "The vault is sound: every page authenticates, its tables agree, and no part is older than the rest.",
            );
            Ok(Exit::Ok)
        }
        Command::Create(args) => create(ctx, args),
        Command::Add(args) => add(ctx, args),
        Command::List(args) => list(ctx, args),
        Command::Show { token, json } => show(ctx, &token, json),
        Command::Get { token } => get(ctx, &token),
        Command::Copy { token, clear_after } => copy(ctx, &token, clear_after),
        Command::Edit(args) => edit(ctx, args),
        Command::Rotate { token, json } => rotate(ctx, &token, json),
        Command::Revoke { token } => {
            let token = ctx.open()?.revoke_token(&token)?;
            note(&format!(
                "Token '{}' revoked: it no longer verifies.",
                token.name
            ));
            Ok(Exit::Ok)
        }
        Command::Restore { token } => {
            let token = ctx.open()?.restore_token(&token)?;
            note(&format!("Token '{}' restored.", token.name));
            Ok(Exit::Ok)
        }
        Command::Delete { token, yes } => delete(ctx, &token, yes),
        Command::Export {
            all: true,
            output,
            passphrase_stdin,
            recipient,
            ..
        } => crate::backup::create(ctx, &output, passphrase_stdin, &recipient, false),
        Command::Export {
            token,
            output,
            pem,
            passphrase_stdin,
            ..
        } => export(
            ctx,
            token.as_deref().unwrap_or_default(),
            &output,
            pem,
            passphrase_stdin,
        ),
        Command::Backup(args) => crate::backup::run(ctx, args.action),
        Command::Run {
            env_file,
            no_masking,
            no_inherit_env,
            command,
        } => crate::run::run(
            ctx,
            crate::run::RunArgs {
                env_files: env_file,
                masking: !no_masking,
                inherit_env: !no_inherit_env,
                command,
            },
        ),
        Command::Inject { input, output } => crate::run::inject(ctx, &input, &output),
        Command::Import {
            file,
            from: Format::TokenFile,
            passphrase_stdin,
            foreign,
            ..
        } => import(ctx, &file, passphrase_stdin, foreign),
        Command::Import {
            file,
            from,
            passphrase_stdin,
            on_conflict,
            dry_run,
            json,
            ..
        } => crate::import::run(
            ctx,
            &file,
            from,
            passphrase_stdin,
            on_conflict,
            dry_run,
            json,
        ),
        Command::Verify {
            token_string,
            api,
            user,
            json,
        } => verify(ctx, &token_string, api, user, json),
        Command::Serve(args) => crate::serve::run(ctx, args),
        Command::Client(args) => crate::client::run(ctx, args.action),
        Command::Jwks => crate::client::jwks(ctx),
        Command::Palette => crate::palette::open(&ctx.paths.dir),
        Command::Identity { json } => crate::shared::identity(ctx, json),
        Command::SharedVault(args) => crate::shared::run(ctx, args.action),
        Command::Sync { name, json, watch } => crate::shared::sync(ctx, name, json, watch),
        Command::Conflicts { action, json } => crate::shared::conflicts(ctx, action, json),
        Command::Scan {
            paths,
            history,
            json,
        } => crate::scan::run(ctx, paths, history, json),
        Command::Completion { shell } => {
            let mut script = Vec::new();
            let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tessera", &mut script);
            output::emit(&String::from_utf8_lossy(&script));
            Ok(Exit::Ok)
        }
        Command::Man => {
            let mut page = Vec::new();
            let command = <crate::cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Error::invalid("manual page", e.to_string()))?;
            output::emit(&String::from_utf8_lossy(&page));
            Ok(Exit::Ok)
        }
        Command::Audit(args) => audit(ctx, args),
        Command::Passwd {
            new_password_stdin,
            keyring,
        } => passwd(ctx, new_password_stdin, keyring),
        Command::Api(args) => catalog(ctx, Catalog::Api, args.action),
        Command::Project(args) => catalog(ctx, Catalog::Project, args.action),
        Command::User(args) => catalog(ctx, Catalog::User, args.action),
        Command::ServiceAccount(args) => catalog(ctx, Catalog::ServiceAccount, args.action),
    }
}

fn init(ctx: &mut Context, want_password: bool, json: bool) -> Result<Exit> {
    let dir = ctx.paths.dir.display().to_string();
    if ctx.paths.exists() {
        return Err(Error::VaultExists(dir));
    }
    let (vault, recovery) = if want_password || ctx.password_stdin {
        let password = input::new_password(&mut ctx.input, ctx.password_stdin, true)?;
        Vault::create_recoverable(&ctx.paths, NewProtection::Password(password), &ctx.keyring)?
    } else {
        match Vault::create_recoverable(&ctx.paths, NewProtection::Keyring, &ctx.keyring) {
            Err(Error::KeyringUnavailable(why)) => {
                note(&format!(
                    "No system keyring is available ({why}); the vault will be protected by a master password."
                ));
                let password = input::new_password(&mut ctx.input, false, true)?;
                Vault::create_recoverable(
                    &ctx.paths,
                    NewProtection::Password(password),
                    &ctx.keyring,
                )?
            }
            other => other?,
        }
    };
    let protection = vault.protection();
    drop(vault);
    let key = recovery.text();
    if json {
        print_json(&json!({
            "vault": dir,
            "protection": protection,
            "recovery_key": key.expose(),
        }));
        return Ok(Exit::Ok);
    }
    note(&match protection {
        Protection::Password => {
            format!("Created a vault at {dir}, protected by your master password.")
        }
        Protection::Keyring => {
            format!("Created a vault at {dir}; its key is kept in the system keyring.")
        }
    });
    show_recovery_key(&key);
    Ok(Exit::Ok)
}

/// Prints a recovery key alone on stdout, with what it is for on stderr.
pub(crate) fn show_recovery_key(key: &Secret) {
    note(
        "Your recovery key, shown this once. Write it down or keep it in another password manager:\n\
         it opens this vault if the master password is forgotten or the keyring entry is lost\n\
         (`tessera recover`). Once it is kept, `tessera recovery-key --kept` says so.",
    );
    line(key.expose());
}

fn recover(ctx: &mut Context, keyring: bool) -> Result<Exit> {
    let text = ctx.input.secret("Recovery key")?;
    let recovery = RecoveryKey::parse(text.expose())?;
    drop(text);
    let protection = input::new_protection(&mut ctx.input, keyring, ctx.password_stdin)?;
    let vault = Vault::recover(&ctx.paths, &recovery, protection, &ctx.keyring)?;
    note(match vault.protection() {
        Protection::Password => {
            "The vault is open again, protected by your new master password. The recovery key still works."
        }
        Protection::Keyring => {
            "The vault is open again; its new key is kept in this machine's system keyring. The recovery key still works."
        }
    });
    Ok(Exit::Ok)
}

fn recovery_key(ctx: &mut Context, new: bool, kept: bool, json: bool) -> Result<Exit> {
    let current = ctx.password()?;
    let mut vault = Vault::open(&ctx.paths, &ctx.keyring, current.as_ref())?;
    if kept {
        vault.confirm_recovery_kit()?;
    }
    if !new {
        let state = vault.recovery_state()?;
        if json {
            print_json(&json!({ "recovery_key": vault.has_recovery_key(), "state": state }));
            return Ok(Exit::Ok);
        }
        line(match state {
            RecoveryState::Confirmed => {
                "This vault has a recovery key, which you kept. Make a new one with `tessera recovery-key --new`."
            }
            RecoveryState::Unconfirmed => {
                "This vault has a recovery key. Once you have kept it, `tessera recovery-key --kept` ends the app's reminder."
            }
            RecoveryState::None => {
                "This vault has no recovery key: make one with `tessera recovery-key --new`."
            }
        });
        return Ok(Exit::Ok);
    }
    let consent = current
        .as_ref()
        .map_or(Consent::Confirmed, Consent::CurrentPassword);
    let key = vault.new_recovery_key(consent, &ctx.keyring)?.text();
    if json {
        print_json(&json!({ "recovery_key": key.expose() }));
    } else {
        note("A new recovery key replaces the old one, which no longer opens this vault.");
        show_recovery_key(&key);
    }
    Ok(Exit::Ok)
}

fn create(ctx: &mut Context, args: CreateArgs) -> Result<Exit> {
    let kind = args.kind;
    if kind == TokenKind::External {
        return Err(Error::invalid(
            "kind",
            "add a token issued elsewhere with `tessera add NAME`",
        ));
    }
    let mut vault = ctx.open()?;
    let req = NewToken {
        description: args.description,
        expires: Expiry::parse(&args.expires, vault.now())?,
        apis: args.apis,
        projects: args.projects,
        users: args.users,
        service_account: args.service_account,
        rsa_bits: args.bits,
        jwt_alg: args.alg,
        rotation_days: args.rotate_every,
        ..NewToken::new(kind, args.name)
    };
    if kind == TokenKind::Rsa && req.rsa_bits == Some(4096) {
        note("Generating a 4096-bit RSA key; this takes a few seconds…");
    }
    let issued = vault.create_token(req)?;
    let now = vault.now();
    if args.json {
        let mut value = output::token_json(&issued.token, now);
        // `create` prints the new secret once, as asked.
        value["secret"] = issued
            .secret
            .as_ref()
            .map(|s| s.expose().into())
            .unwrap_or(serde_json::Value::Null);
        print_json(&value);
        return Ok(Exit::Ok);
    }
    let token = &issued.token;
    match &issued.secret {
        Some(secret) => {
            note(&format!(
                "Created {} token '{}'. Its secret, shown this once:",
                token.kind, token.name
            ));
            // Printing the new secret once is what `create` is for.
            line(secret.expose());
        }
        None => note(&format!(
            "Created RSA token '{}' (key id {}). Hand it out with: tessera export '{}' -o token.json",
            token.name,
            token.key_id.as_deref().unwrap_or("?"),
            token.name
        )),
    }
    Ok(Exit::Ok)
}

fn add(ctx: &mut Context, args: AddArgs) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let value = ctx.input.secret("Paste the token")?;
    let req = NewToken {
        description: args.description,
        expires: Expiry::parse(&args.expires, vault.now())?,
        rotation_days: args.rotate_every,
        value: Some(value),
        service: args.service,
        ..NewToken::new(TokenKind::External, args.name)
    };
    let issued = vault.create_token(req)?;
    if args.json {
        print_json(&output::token_json(&issued.token, vault.now()));
    } else {
        let service = issued
            .token
            .service
            .as_deref()
            .unwrap_or("an unrecognised service");
        note(&format!("Added '{}' from {service}.", issued.token.name));
    }
    Ok(Exit::Ok)
}

fn list(ctx: &mut Context, args: ListArgs) -> Result<Exit> {
    let query = Query {
        text: args.query.clone().unwrap_or_default(),
        kind: args.kind,
        status: args.status,
        sort: args.sort,
        offset: args.offset,
        limit: args.limit,
    };
    let mut vault = ctx.open()?;
    let page = if args.attention {
        let rows: Vec<Hit> = vault
            .needing_attention(args.within)?
            .into_iter()
            .map(|token| Hit {
                token,
                positions: Vec::new(),
            })
            .collect();
        Page {
            total: rows.len(),
            rows,
        }
    } else {
        vault.search(&query)?
    };
    let now = vault.now();
    let ids: Vec<&str> = page.rows.iter().map(|hit| hit.token.id.as_str()).collect();
    let stale = vault.stale_token_files(&ids)?;
    if args.json {
        let rows: Vec<_> = page
            .rows
            .iter()
            .map(|hit| {
                let mut value = output::token_json(&hit.token, now);
                value["positions"] = json!(hit.positions);
                value["token_file_out_of_date_since"] = json!(
                    stale
                        .get(&hit.token.id)
                        .map(|at| tessera_core::clock::rfc3339(*at))
                );
                value
            })
            .collect();
        print_json(&json!({ "total": page.total, "offset": args.offset, "rows": rows }));
        return Ok(Exit::Ok);
    }
    if page.rows.is_empty() {
        match (&args.query, page.total) {
            _ if args.attention => line(&format!(
                "Nothing needs attention: no token expires within {} days or is due for replacement.",
                args.within
            )),
            (_, n) if n > 0 => line(&format!("No rows past {n}.")),
            (Some(q), _) if !q.trim().is_empty() => line(&format!("No tokens match '{q}'.")),
            _ if query.kind.is_some() || query.status.is_some() => {
                line("No tokens match these filters.")
            }
            _ => line("No tokens yet. Create one with: tessera create personal --name NAME"),
        }
        return Ok(Exit::Ok);
    }
    emit(&output::token_table(&page.rows, &stale, now));
    if page.total > page.rows.len() {
        let first = args.offset + 1;
        line(&format!(
            "Showing {first}–{} of {}.",
            args.offset + page.rows.len(),
            page.total
        ));
    }
    Ok(Exit::Ok)
}

fn show(ctx: &mut Context, reference: &str, json: bool) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let token = vault.token(reference)?;
    let stale = vault
        .stale_token_files(&[&token.id])?
        .get(&token.id)
        .copied();
    let now = vault.now();
    if json {
        let mut value = output::token_json(&token, now);
        if token.kind == TokenKind::Rsa {
            value["token_file_out_of_date_since"] = json!(stale.map(tessera_core::clock::rfc3339));
        }
        print_json(&value);
    } else {
        emit(&output::token_details(&token, now));
        if let Some(since) = stale {
            emit(&format!(
                "{:<16} out of date since {} ({}): hand out a new one (tessera export '{}' -o FILE)\n",
                "Token file:",
                tessera_core::clock::rfc3339(since),
                output::relative(since, now),
                token.name
            ));
        }
    }
    Ok(Exit::Ok)
}

fn get(ctx: &mut Context, reference: &str) -> Result<Exit> {
    let secret = ctx.open()?.reveal_secret(reference, Purpose::Reveal)?;
    // `get` exists to print the secret.
    line(secret.expose());
    Ok(Exit::Ok)
}

fn copy(ctx: &mut Context, reference: &str, clear_after: u64) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let name = vault.token(reference)?.name;
    let secret = vault.reveal_secret(reference, Purpose::Copy)?;
    // The vault is not needed while the clipboard is watched.
    vault.lock()?;
    // Ctrl-C, a closed terminal or a kill: the secret is cleared before the exit.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, std::sync::Arc::clone(&stop)).map_err(|e| {
            Error::invalid(
                "signals",
                format!("cannot watch for Ctrl-C ({e}); nothing was copied"),
            )
        })?;
    }
    let copied = tessera_core::clipboard::copy(secret, Duration::from_secs(clear_after))?;
    if clear_after == 0 {
        note(&format!(
            "Copied '{name}' to the clipboard. It stays until something else is copied."
        ));
    } else {
        note(&format!(
            "Copied '{name}' to the clipboard; it will be cleared in {clear_after} s. Keep this running."
        ));
    }
    match copied.wait_and_clear_unless(&stop)? {
        tessera_core::clipboard::ClearOutcome::Cleared => note("Clipboard cleared."),
        tessera_core::clipboard::ClearOutcome::Replaced => {
            note("Something else was copied meanwhile; the clipboard was left alone.")
        }
    }
    if stop.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(Exit::Interrupted);
    }
    Ok(Exit::Ok)
}

fn edit(ctx: &mut Context, args: EditArgs) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let non_empty = |list: Vec<String>| (!list.is_empty()).then_some(list);
    let changes = TokenChanges {
        name: args.name,
        description: args.description,
        expires: args
            .expires
            .map(|e| Expiry::parse(&e, vault.now()))
            .transpose()?,
        apis: if args.no_apis {
            Some(Vec::new())
        } else {
            non_empty(args.apis)
        },
        projects: non_empty(args.projects),
        users: non_empty(args.users),
        service_account: args.service_account,
        rotation_days: args.rotate_every.map(|d| (d != 0).then_some(d)),
        service: args.service,
    };
    let issued = vault.modify_token(&args.token, changes)?;
    if args.json {
        print_json(&output::token_json(&issued.token, vault.now()));
    } else {
        note(&format!("Updated '{}'.", issued.token.name));
    }
    if issued.secret.is_some() {
        note(&format!(
            "The JWT was re-signed; the previous one no longer verifies. Get it with: tessera get '{}'",
            issued.token.name
        ));
    }
    Ok(Exit::Ok)
}

fn rotate(ctx: &mut Context, reference: &str, json: bool) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let current = vault.token(reference)?;
    let new_value = match current.kind {
        TokenKind::External => Some(ctx.input.secret("Paste the new value")?),
        _ => None,
    };
    let issued = vault.rotate_token(reference, new_value)?;
    if json {
        print_json(&output::token_json(&issued.token, vault.now()));
        return Ok(Exit::Ok);
    }
    let name = &issued.token.name;
    let how = match issued.token.kind {
        TokenKind::Rsa => {
            format!("export the new token file with: tessera export '{name}' -o FILE")
        }
        _ => format!(
            "get the new one with `tessera get '{name}'` or copy it with `tessera copy '{name}'`"
        ),
    };
    note(&format!(
        "Replaced the secret of '{name}'; the old one no longer verifies. {how}."
    ));
    Ok(Exit::Ok)
}

fn delete(ctx: &mut Context, reference: &str, yes: bool) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let token = vault.token(reference)?;
    if !yes
        && token.lifetime.revoked
        && !confirm(
            &format!(
                "Delete token '{}' for good? This cannot be undone.",
                token.name
            ),
            "deleting cannot be undone: add --yes to confirm",
        )?
    {
        note("Nothing deleted.");
        return Ok(Exit::Ok);
    }
    let token = vault.delete_token(&token.id)?;
    note(&format!("Token '{}' deleted.", token.name));
    Ok(Exit::Ok)
}

/// Asks `question` on the terminal; without one, fails with `without_terminal`.
fn confirm(question: &str, without_terminal: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid("confirmation", without_terminal));
    }
    note(&format!("{question} [y/N]"));
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::invalid("confirmation", e.to_string()))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Opens a vault refused as an older copy, once the person confirms the restore.
fn accept_restore(ctx: &mut Context, yes: bool) -> Result<Exit> {
    let password = ctx.password()?;
    match Vault::open(&ctx.paths, &ctx.keyring, password.as_ref()) {
        Ok(_) => {
            note("The vault is not an older copy: nothing to accept.");
            return Ok(Exit::Ok);
        }
        Err(Error::RolledBack(_)) => {}
        Err(other) => return Err(other),
    }
    if !yes
        && !confirm(
            "Keep this older copy of the vault? Tokens revoked after it was made become active again.",
            "accepting an older copy re-activates tokens revoked since: add --yes to confirm",
        )?
    {
        note("Nothing changed.");
        return Ok(Exit::Ok);
    }
    Vault::open_restored(&ctx.paths, &ctx.keyring, password.as_ref())?;
    note("The restored copy is now the vault. Revoke again any token revoked after it was made.");
    Ok(Exit::Ok)
}

fn export(
    ctx: &mut Context,
    reference: &str,
    path: &Path,
    pem: bool,
    passphrase_stdin: bool,
) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let passphrase = if passphrase_stdin {
        Some(ctx.input.line("passphrase")?)
    } else {
        None
    };
    let contents = if pem {
        vault.export_pem(reference, passphrase.as_ref())?
    } else {
        vault.export_token_file(reference, passphrase.as_ref())?
    };
    tessera_core::export::write_secret_file(path, &contents)?;
    let what = if pem {
        "private key (PEM)"
    } else {
        "token file"
    };
    note(&format!(
        "Wrote the {what} of '{}' to {} (mode 0600).",
        vault.token(reference)?.name,
        path.display()
    ));
    Ok(Exit::Ok)
}

fn import(ctx: &mut Context, path: &Path, passphrase_stdin: bool, foreign: bool) -> Result<Exit> {
    let json = tessera_core::export::read_token_file(path)?;
    let passphrase = if passphrase_stdin {
        Some(ctx.input.line("passphrase")?)
    } else {
        None
    };
    let mut vault = ctx.open()?;
    // Importing the file the user named.
    let provenance = match foreign {
        true => Provenance::AnyVault,
        false => Provenance::ThisVault,
    };
    let imported = vault.import_token_file(json.expose(), passphrase.as_ref(), provenance)?;
    let token = imported.token;
    note(&format!(
        "Imported RSA token '{}' (key id {}).",
        token.name,
        token.key_id.as_deref().unwrap_or("?")
    ));
    if imported.issued_elsewhere {
        note("It was issued by another vault: whoever holds that vault may hold its key too.");
    }
    Ok(Exit::Ok)
}

fn verify(
    ctx: &mut Context,
    token_string: &str,
    api: Option<String>,
    user: Option<String>,
    json: bool,
) -> Result<Exit> {
    let presented = if token_string == "-" {
        ctx.input.secret("token")?
    } else {
        Secret::new(token_string.to_string())
    };
    let mut vault = ctx.open()?;
    // Verification needs the presented string.
    let result = vault.verify(presented.expose(), api.as_deref(), user.as_deref())?;
    let now = vault.now();
    // The status is the answer's, decided before a byte is printed.
    output::decide_status(if result.is_active() { 0 } else { 1 });
    match &result {
        Verification::Active(token) => {
            if json {
                print_json(&json!({
                    "active": true,
                    "token_id": token.id,
                    "kind": token.kind.as_str(),
                    "name": token.name,
                    "all_apis": token.all_apis,
                    "apis": token.apis,
                    "projects": token.projects,
                    "users": token.users,
                    "exp": token.expires_at(),
                }));
            } else {
                line(&format!(
                    "active: '{}' ({}, {}), expires {}",
                    token.name,
                    token.kind,
                    token.id,
                    output::expires(token, now)
                ));
            }
            Ok(Exit::Ok)
        }
        Verification::Inactive(reason) => {
            if json {
                print_json(&json!({ "active": false, "reason": reason.as_str() }));
            } else {
                line(&format!(
                    "inactive: {} ({})",
                    reason.describe(),
                    reason.as_str()
                ));
            }
            Ok(Exit::Inactive)
        }
    }
}

fn audit(ctx: &mut Context, args: AuditArgs) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let filter = AuditFilter {
        action: args.action,
        token: args.token,
        since: None,
        succeeded: args.failed.then_some(false),
        limit: Some(args.limit),
    };
    let events = vault.audit(&filter)?;
    if args.json {
        print_json(&json!(
            events.iter().map(output::event_json).collect::<Vec<_>>()
        ));
        return Ok(Exit::Ok);
    }
    if events.is_empty() {
        line("No events.");
        return Ok(Exit::Ok);
    }
    let cells: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                tessera_core::clock::rfc3339(e.at),
                e.action.to_string(),
                e.token_name.clone().unwrap_or_else(|| "-".into()),
                e.outcome.to_string(),
                e.detail.clone(),
            ]
        })
        .collect();
    emit(&output::table(
        &["TIME", "ACTION", "TOKEN", "OUTCOME", "DETAIL"],
        &cells,
        None,
    ));
    Ok(Exit::Ok)
}

fn passwd(ctx: &mut Context, new_password_stdin: bool, keyring: bool) -> Result<Exit> {
    // The password that opens the vault is the consent a password vault needs; for a
    // keyring vault, the command the person typed is.
    let current = ctx.password()?;
    let mut vault = Vault::open(&ctx.paths, &ctx.keyring, current.as_ref())?;
    let consent = current
        .as_ref()
        .map_or(Consent::Confirmed, Consent::CurrentPassword);
    if keyring {
        vault.use_keyring(consent, &ctx.keyring)?;
        note(
            "The vault key is now kept in the system keyring; the master password no longer opens it.",
        );
        return Ok(Exit::Ok);
    }
    let password = input::new_password(&mut ctx.input, new_password_stdin, false)?;
    vault.change_password(consent, &password, &ctx.keyring)?;
    note("Master password changed; the vault was re-keyed.");
    Ok(Exit::Ok)
}

fn catalog(ctx: &mut Context, catalog: Catalog, action: CatalogAction) -> Result<Exit> {
    let mut vault = ctx.open()?;
    match action {
        CatalogAction::Add {
            name,
            method,
            path,
            email,
            description,
        } => {
            let (detail, extra) = match catalog {
                Catalog::Api => (method, path),
                Catalog::User => (email, None),
                Catalog::ServiceAccount => (description, None),
                Catalog::Project => (None, None),
            };
            let entry = vault.catalog_add(
                catalog,
                CatalogEntry {
                    detail,
                    extra,
                    ..CatalogEntry::named(name)
                },
            )?;
            note(&format!("Added {} '{}'.", catalog.label(), entry.name));
        }
        CatalogAction::List { json } => {
            let entries = vault.catalog_list(catalog)?;
            if json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| json!({ "name": e.name, "detail": e.detail, "extra": e.extra, "created_at": tessera_core::clock::rfc3339(e.created_at) }))
                    .collect();
                print_json(&json!(rows));
            } else if entries.is_empty() {
                line(&format!("No {} entries yet.", catalog.label()));
            } else {
                let cells: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        let detail = [e.detail.as_deref(), e.extra.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ");
                        vec![e.name.clone(), detail, output::date(e.created_at)]
                    })
                    .collect();
                emit(&output::table(&["NAME", "DETAIL", "ADDED"], &cells, None));
            }
        }
        CatalogAction::Rename { old, new } => {
            vault.catalog_rename(catalog, &old, &new)?;
            note(&format!("Renamed {} '{old}' to '{new}'.", catalog.label()));
        }
        CatalogAction::Remove { name } => {
            vault.catalog_remove(catalog, &name)?;
            note(&format!("Removed {} '{name}'.", catalog.label()));
        }
    }
    Ok(Exit::Ok)
}
