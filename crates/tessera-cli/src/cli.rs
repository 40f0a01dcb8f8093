//! The command-line interface, as clap parses it.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tessera_core::audit::AuditAction;
use tessera_core::imports::{Format, OnConflict};
use tessera_core::search::Sort;
use tessera_core::token::{JwtAlg, Status, TokenKind};

/// Reads an argument with the core's own parser (its spellings, its error message), so
/// the CLI holds a typed value and never parses it again.
fn core<T: std::str::FromStr<Err = tessera_core::Error>>(text: &str) -> Result<T, String> {
    text.parse().map_err(|err: tessera_core::Error| match err {
        tessera_core::Error::Invalid { reason, .. } => reason,
        other => other.to_string(),
    })
}

fn on_conflict(text: &str) -> Result<OnConflict, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "skip" => Ok(OnConflict::Skip),
        "rename" => Ok(OnConflict::Rename),
        _ => Err(format!("'{text}' is not skip or rename")),
    }
}

/// Tessera: API tokens kept in an encrypted vault.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Vault folder (default: $TESSERA_HOME, else the platform data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Read the master password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Work in shared vault NAME (its replica on this machine) instead of your own.
    #[arg(long, global = true, value_name = "NAME")]
    pub vault: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault, its key in the system keyring (or a master password).
    Init {
        /// Protect the vault with a master password instead of the keyring.
        #[arg(long)]
        password: bool,
        /// Print JSON (with the recovery key as `recovery_key`).
        #[arg(long)]
        json: bool,
    },
    /// Open the vault with its recovery key when the master password is forgotten or
    /// the keyring entry lost, and protect it anew. The recovery key is read from the
    /// first line of stdin (or a hidden prompt); with --password-stdin the new master
    /// password is the second line.
    Recover {
        /// Keep the vault key in this machine's system keyring instead of a password.
        #[arg(long)]
        keyring: bool,
    },
    /// Tell whether the vault has a recovery key, or make a new one (the old one stops
    /// working at once).
    RecoveryKey {
        /// Make a new recovery key and print it, once.
        #[arg(long)]
        new: bool,
        /// Say you kept the current recovery key (wrote it down, stored it): the app
        /// stops reminding you to keep its recovery kit.
        #[arg(long, conflicts_with = "new")]
        kept: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a token: workspace, personal, service, rsa or jwt.
    Create(CreateArgs),
    /// Print this install's member identity, to be added to a shared vault.
    Identity {
        /// Print JSON: {"identity": …, "fingerprint": …}.
        #[arg(long)]
        json: bool,
    },
    /// Shared vaults: kept in step through a PostgreSQL server that sees only ciphertext.
    #[command(name = "vault")]
    SharedVault(SharedVaultArgs),
    /// Sync shared vaults with their server (one round; all of them without NAME).
    Sync {
        /// The shared vault.
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Keep NAME in step until interrupted: a round whenever another member
        /// pushes (LISTEN/NOTIFY) or a change is made here, and at least every minute.
        #[arg(long, requires = "name", conflicts_with = "json")]
        watch: bool,
    },
    /// In a shared vault (--vault NAME): the tokens changed here and by another member
    /// in the same field, where theirs was kept; or resolve one of them.
    Conflicts {
        #[command(subcommand)]
        action: Option<ConflictAction>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a token issued elsewhere; its value is read from stdin or a hidden prompt.
    Add(AddArgs),
    /// List tokens, optionally matching a fuzzy QUERY.
    #[command(alias = "ls", alias = "search")]
    List(ListArgs),
    /// Show a token's details (never its secret).
    Show {
        /// Token name or id.
        token: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a token's secret alone on stdout, for scripts.
    Get {
        /// Token name or id.
        token: String,
    },
    /// Copy a token's secret to the clipboard and clear it after a while.
    Copy {
        /// Token name or id.
        token: String,
        /// Seconds before clearing; 0 keeps it until something else is copied.
        #[arg(long, value_name = "S", default_value_t = 30)]
        clear_after: u64,
    },
    /// Change a token's name, description, expiry or scopes (a JWT is re-signed).
    Edit(EditArgs),
    /// Give a token a new secret (external: the new value from stdin or a prompt).
    #[command(alias = "replace")]
    Rotate {
        /// Token name or id.
        token: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token: it stops verifying at once.
    Revoke {
        /// Token name or id.
        token: String,
    },
    /// Restore a revoked token.
    Restore {
        /// Token name or id.
        token: String,
    },
    /// Delete a revoked token for good.
    Delete {
        /// Token name or id.
        token: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Write an RSA token's token file (or its private key as PEM), or with --all every
    /// token: the encrypted backup, to take them elsewhere (README.md tells how to read
    /// it with `age` and `sqlite3` alone).
    Export {
        /// Token name or id.
        #[arg(required_unless_present = "all")]
        token: Option<String>,
        /// Every token, secret, catalog entry and audit event, as `backup create` writes.
        #[arg(long, conflicts_with_all = ["token", "pem"])]
        all: bool,
        /// Output file (written with mode 0600).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Write the private key alone as PKCS#8 PEM.
        #[arg(long)]
        pem: bool,
        /// Encrypt with a passphrase read from stdin (the private key; with --all, the
        /// whole file).
        #[arg(long)]
        passphrase_stdin: bool,
        /// With --all: encrypt to this age recipient (age1…); repeat for several.
        #[arg(long, value_name = "AGE_RECIPIENT", requires = "all")]
        recipient: Vec<String>,
    },
    /// Encrypted backups of the whole vault, in the age format.
    Backup(BackupArgs),
    /// Run a command with the references in its environment (`tessera://NAME`,
    /// `tessera://NAME/FIELD`) resolved; what it prints has each secret masked. Exits
    /// with the command's status (128+N when a signal ended it).
    Run {
        /// Variables from this .env file too (later files win); repeat for several.
        #[arg(long, value_name = "FILE")]
        env_file: Vec<PathBuf>,
        /// Leave the command's output as it is.
        #[arg(long)]
        no_masking: bool,
        /// Start from an empty environment: only the env files' variables.
        #[arg(long)]
        no_inherit_env: bool,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<std::ffi::OsString>,
    },
    /// Write a template with its `{{ tessera://… }}` references resolved (mode 0600),
    /// or print it with `-o -`.
    Inject {
        /// The template.
        #[arg(short, long, value_name = "TEMPLATE")]
        input: PathBuf,
        /// The file to write, or `-` for stdout.
        #[arg(short, long, value_name = "OUT")]
        output: std::ffi::OsString,
    },
    /// Import tokens from another manager's export or a .env file (each entry an
    /// external token), or an RSA token file (the default). A file's password or
    /// passphrase from stdin comes before the vault's master password.
    Import {
        /// The file.
        file: PathBuf,
        /// dotenv, 1pux (1Password), bitwarden (plain or password-protected JSON),
        /// keepassxc-csv, kdbx (KeePass, with its password), or token-file.
        #[arg(long, value_name = "FORMAT", default_value = "token-file", value_parser = core::<Format>)]
        from: Format,
        /// Read the file's password (kdbx, a protected Bitwarden export) or the RSA
        /// private key's passphrase from stdin.
        #[arg(long)]
        passphrase_stdin: bool,
        /// A name a token already has: skip the entry, or rename it "NAME (2)".
        #[arg(long, value_name = "skip|rename", default_value = "skip", value_parser = on_conflict)]
        on_conflict: OnConflict,
        /// Say what would be imported, and import nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON: {"imported": N, "skipped": [{"entry": …, "reason": …}], …}.
        #[arg(long)]
        json: bool,
        /// Token file: accept one issued by another vault (its key was made there, and
        /// whoever has that vault may still hold it).
        #[arg(long)]
        foreign: bool,
    },
    /// Check a token: exit 0 only when active, 1 when not, 2 for anything else.
    ///
    /// Pass "-" to read the token from stdin (`tessera verify - <<<"$TOKEN"`): an
    /// argument can be read by other users in /proc/PID/cmdline and lands in shell
    /// history. Exit 0 means "active" and nothing else; help, version, usage errors, a
    /// locked or damaged vault and I/O errors exit 2.
    Verify {
        /// The token, JWT or RSA assertion; "-" reads it from stdin (preferred).
        token_string: String,
        /// The API it is presented to.
        #[arg(long)]
        api: Option<String>,
        /// The user it is presented for.
        #[arg(long)]
        user: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Answer "is this token good?" over HTTP for your own APIs and dev servers:
    /// RFC 7662 introspection, RFC 7009 revocation and the public keys (JWKS), on
    /// loopback. Callers authenticate as a client (`tessera client add`). Runs until
    /// Ctrl-C; the first line on stdout is its address.
    Serve(ServeArgs),
    /// Manage the clients that may call `tessera serve`.
    Client(ClientArgs),
    /// Print the public keys that verify this vault's RS256 and EdDSA JWTs and its RSA
    /// tokens' assertions, as a JWK Set (what `tessera serve` publishes).
    Jwks,
    /// Open the desktop app's quick-access palette (starting the app if it is not
    /// running). Bind it to a key in your desktop's keyboard settings where the app's
    /// own shortcut (Ctrl+Shift+Space) cannot be grabbed.
    Palette,
    /// Look for leaked tokens: the vault's own (by keyed fingerprints, never by their
    /// values) and well-known formats (GitHub, GitLab, Slack, Stripe, AWS, Google,
    /// OpenAI, JWTs, private keys) in files. Exit 0 when nothing is found, 1 when
    /// something is, 2 for an error. Findings never show a value.
    Scan {
        /// Files or folders to search, walked whole with hidden files (default: the
        /// current folder); `.git` folders and binary files are passed over.
        paths: Vec<PathBuf>,
        /// Also search the shell's and REPLs' history files (~/.bash_history,
        /// ~/.zsh_history, fish's, $HISTFILE, …).
        #[arg(long)]
        history: bool,
        /// Print JSON: {"findings": [{"path", "line", "column", "rule", "token_name", "preview"}], …}.
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell
    /// (`tessera completion bash > ~/.local/share/bash-completion/completions/tessera`).
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), as the package installs it.
    #[command(hide = true)]
    Man,
    /// Show the audit log, newest first.
    Audit(AuditArgs),
    /// Set a new master password (re-keys the vault), or move the key to the keyring.
    Passwd {
        /// Read the new password from stdin (after the current one, if any).
        #[arg(long)]
        new_password_stdin: bool,
        /// Keep the key in the system keyring instead of a password.
        #[arg(long, conflicts_with = "new_password_stdin")]
        keyring: bool,
    },
    /// Check the whole vault: every page authenticates, its tables agree, and no part
    /// of it is older than the rest (pages put back from an older copy). Exit 0 when
    /// sound, 2 when not.
    Check,
    /// Keep a vault that was refused as an older copy (a backup restored on purpose).
    AcceptRestore {
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Manage the API catalog.
    Api(CatalogArgs),
    /// Manage the project catalog.
    Project(CatalogArgs),
    /// Manage the user catalog.
    User(CatalogArgs),
    /// Manage service accounts.
    ServiceAccount(CatalogArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7662")]
    pub listen: String,
    /// Allow an address other than loopback. The service speaks plain HTTP: put it
    /// behind a TLS proxy before anything crosses a network.
    #[arg(long)]
    pub allow_remote: bool,
    /// Requests per second each client may make (a burst of as many); more get 429.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
}

#[derive(Debug, Args)]
pub struct SharedVaultArgs {
    #[command(subcommand)]
    pub action: SharedVaultAction,
}

#[derive(Debug, Subcommand)]
pub enum SharedVaultAction {
    /// Create a shared vault on a PostgreSQL server; you are its first admin.
    Create {
        /// Its name on this machine.
        name: String,
        /// The server: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (kept inside your
        /// vault, never in a plaintext file).
        #[arg(long, value_name = "URL")]
        server: String,
    },
    /// Join a shared vault with the invite an admin gave you.
    Join {
        /// The invite (`tessera vault member add` printed it).
        invite: String,
        /// The server address to use instead of the invite's (another host name, TLS
        /// options), with the login the invite carries; or as the address's own user
        /// if it names one.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
    },
    /// The shared vaults this install belongs to.
    #[command(alias = "ls")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Members of a shared vault.
    Member(SharedMemberArgs),
    /// Change a shared vault's settings on this machine.
    Set {
        /// The shared vault.
        name: String,
        /// Seconds without reaching the server after which verify on this replica
        /// fails closed (stale_replica); default 300.
        #[arg(long, value_name = "SECONDS")]
        stale_after: Option<i64>,
    },
}

#[derive(Debug, Args)]
pub struct SharedMemberArgs {
    #[command(subcommand)]
    pub action: SharedMemberAction,
}

#[derive(Debug, Subcommand)]
pub enum SharedMemberAction {
    /// Add a member by the identity they printed with `tessera identity`; the invite
    /// they join with is printed alone on stdout.
    Add {
        /// The shared vault.
        name: String,
        /// Their identity (tessera-id1:…).
        identity: String,
        /// admin or member.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Remove a member: a new vault key for the others, every record re-encrypted;
    /// the tokens they could read are listed, to rotate.
    #[command(alias = "rm")]
    Remove {
        /// The shared vault.
        name: String,
        /// Their identity (tessera-id1:…).
        identity: String,
        /// Print JSON: {"epoch": …, "to_rotate": […]}.
        #[arg(long)]
        json: bool,
    },
    /// List the members and their roles, as the signed roster says.
    #[command(alias = "ls")]
    List {
        /// The shared vault.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ClientArgs {
    #[command(subcommand)]
    pub action: ClientAction,
}

#[derive(Debug, Subcommand)]
pub enum ClientAction {
    /// Add a client; its secret is printed alone on stdout, this once.
    Add {
        /// Its name: the HTTP Basic user name.
        name: String,
        /// It may also revoke tokens (`POST /revoke`).
        #[arg(long)]
        can_revoke: bool,
    },
    /// List the clients (never a secret).
    #[command(alias = "ls")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a client: its secret stops working at once.
    #[command(alias = "rm")]
    Remove {
        /// Its name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub action: BackupAction,
}

/// Who can open a backup being written.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct BackupLockArgs {
    /// Encrypt with a passphrase: the first line of stdin (or a hidden prompt, twice).
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Encrypt to this age recipient (age1…, as `age-keygen` prints); repeat for several.
    #[arg(long, value_name = "AGE_RECIPIENT")]
    pub recipient: Vec<String>,
}

/// What opens a backup being read.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct BackupKeyArgs {
    /// The passphrase it was made with: the first line of stdin (or a hidden prompt).
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// An age identity file holding the key of a recipient it was made for.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// The vault's recovery key (automatic backups are encrypted to it): the first line
    /// of stdin (or a hidden prompt).
    #[arg(long)]
    pub recovery_key_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Write a backup of the whole vault to FILE (mode 0600), in the age format: tokens,
    /// secrets, catalogs and the audit log. A passphrase from stdin comes before the
    /// vault's master password.
    Create {
        /// The backup file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        lock: BackupLockArgs,
        /// Print JSON (the manifest).
        #[arg(long)]
        json: bool,
    },
    /// Check a backup in full (every part authenticates, its vault is sound), changing
    /// nothing.
    Verify {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        key: BackupKeyArgs,
        /// Print JSON (the manifest).
        #[arg(long)]
        json: bool,
    },
    /// Automatic backups, encrypted to the vault's recovery key: show them, turn them on
    /// (--folder), change or turn them off, or make one now. The app makes them after
    /// changes; from cron, `tessera backup auto --if-due` does the same.
    Auto {
        /// The folder to write them to (a synced folder, another disk).
        #[arg(long, value_name = "DIR", conflicts_with = "off")]
        folder: Option<PathBuf>,
        /// At most one per this many minutes, after a change (default 60).
        #[arg(long, value_name = "MINUTES")]
        every: Option<u32>,
        /// How many to keep in the folder (default 10).
        #[arg(long, value_name = "N")]
        keep: Option<u32>,
        /// Turn automatic backups off (the files already written stay).
        #[arg(long)]
        off: bool,
        /// Write one now.
        #[arg(long, conflicts_with_all = ["off", "if_due"])]
        now: bool,
        /// Write one if the vault changed since the last and the interval has passed.
        #[arg(long, conflicts_with = "off")]
        if_due: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup. Into a home with no vault, it creates the vault (a new master
    /// password, or --keyring); into an existing vault, say --replace or --merge. Two
    /// secrets from stdin: the backup's passphrase or recovery key first, then the
    /// master password (new, or of the vault restored into).
    Restore {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        key: BackupKeyArgs,
        /// Make the vault's tokens the backup's (checked first, swapped in one step).
        #[arg(long, conflicts_with = "merge")]
        replace: bool,
        /// Add the backup's tokens to the vault's, by id; the newer change wins.
        #[arg(long)]
        merge: bool,
        /// Restore a backup older than the vault's latest change anyway.
        #[arg(long)]
        accept_older: bool,
        /// Into a new vault: keep its key in the system keyring instead of a password.
        #[arg(long)]
        keyring: bool,
        /// Say what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// workspace, personal, service, rsa or jwt.
    #[arg(value_parser = core::<TokenKind>)]
    pub kind: TokenKind,
    /// Unique name.
    #[arg(long)]
    pub name: String,
    /// Description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// 30d, 12h, 2w, YYYY-MM-DD, or never.
    #[arg(long, default_value = "never")]
    pub expires: String,
    /// Authorized API (repeat for more); '*' for every API (personal and service
    /// tokens). A token with none verifies for no API.
    #[arg(long = "api", value_name = "NAME")]
    pub apis: Vec<String>,
    /// Authorized project (rsa; repeat for more).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,
    /// Authorized user (jwt; repeat for more).
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
    /// Owning service account (service).
    #[arg(long)]
    pub service_account: Option<String>,
    /// RSA key size: 2048, 3072 or 4096.
    #[arg(long)]
    pub bits: Option<usize>,
    /// JWT algorithm: HS256, RS256 or EdDSA.
    #[arg(long, value_parser = core::<JwtAlg>)]
    pub alg: Option<JwtAlg>,
    /// Security period: rotation is due after this many days.
    #[arg(long, value_name = "DAYS")]
    pub rotate_every: Option<i64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Unique name.
    pub name: String,
    /// The issuing service (recognised from the token's prefix when omitted).
    #[arg(long)]
    pub service: Option<String>,
    /// 30d, YYYY-MM-DD, or never.
    #[arg(long, default_value = "never")]
    pub expires: String,
    /// Notes.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Remind to replace it after this many days.
    #[arg(long, value_name = "DAYS")]
    pub rotate_every: Option<i64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Fuzzy query over names.
    pub query: Option<String>,
    /// Only this kind.
    #[arg(long, value_parser = core::<TokenKind>)]
    pub kind: Option<TokenKind>,
    /// Only this status: active, expiring, rotation_due, expired, revoked.
    #[arg(long, value_parser = core::<Status>)]
    pub status: Option<Status>,
    /// Order: relevance, name, created, expires, last-used.
    #[arg(long, default_value = "relevance", value_parser = core::<Sort>)]
    pub sort: Sort,
    /// Rows to show.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Only what needs attention: usable tokens that expire within --within days or
    /// are due for replacement, soonest first (at most 100).
    #[arg(long, conflicts_with_all = ["query", "kind", "status", "sort", "offset"])]
    pub attention: bool,
    /// Days ahead for --attention.
    #[arg(long, value_name = "DAYS", requires = "attention", default_value_t = tessera_core::attention::DEFAULT_DAYS)]
    pub within: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Token name or id.
    pub token: String,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// New description.
    #[arg(long)]
    pub description: Option<String>,
    /// New expiry: 30d, YYYY-MM-DD, or never.
    #[arg(long)]
    pub expires: Option<String>,
    /// Authorized APIs (replaces the list; repeat for more); '*' for every API.
    #[arg(long = "api", value_name = "NAME")]
    pub apis: Vec<String>,
    /// Remove every authorized API: the token then verifies for none.
    #[arg(long, conflicts_with = "apis")]
    pub no_apis: bool,
    /// Authorized projects (replaces the list).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,
    /// Authorized users (replaces the list).
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
    /// Owning service account.
    #[arg(long)]
    pub service_account: Option<String>,
    /// Security period in days; 0 removes it.
    #[arg(long, value_name = "DAYS")]
    pub rotate_every: Option<i64>,
    /// Issuing service (external).
    #[arg(long)]
    pub service: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this action (create, verify, copy, ...).
    #[arg(long, value_parser = core::<AuditAction>)]
    pub action: Option<AuditAction>,
    /// Only events about this token.
    #[arg(long)]
    pub token: Option<String>,
    /// Only failures.
    #[arg(long)]
    pub failed: bool,
    /// At most this many events.
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub action: CatalogAction,
}

#[derive(Debug, Subcommand)]
pub enum CatalogAction {
    /// Add an entry.
    Add {
        /// Unique name.
        name: String,
        /// API: HTTP method.
        #[arg(long)]
        method: Option<String>,
        /// API: path pattern.
        #[arg(long)]
        path: Option<String>,
        /// User: email.
        #[arg(long)]
        email: Option<String>,
        /// Service account: description.
        #[arg(long)]
        description: Option<String>,
    },
    /// List entries.
    #[command(alias = "ls")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rename an entry.
    Rename {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// Remove an entry no token refers to.
    #[command(alias = "rm")]
    Remove {
        /// Name.
        name: String,
    },
}

/// Whether the arguments (without the program name) invoke `verify`: the first one
/// that is neither an option nor a global option's value names the subcommand (aliases
/// included). Read from clap's own definition of the command, so a new global option
/// needs no change here.
pub fn invokes_verify(mut args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    use clap::CommandFactory;
    let command = Cli::command();
    let takes_value = |flag: &str| {
        command.get_arguments().any(|a| {
            a.get_action().takes_values()
                && (a.get_long().is_some_and(|l| flag == format!("--{l}"))
                    || a.get_short().is_some_and(|s| flag == format!("-{s}")))
        })
    };
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str() else {
            return false;
        };
        if !arg.starts_with('-') {
            return command
                .find_subcommand(arg)
                .is_some_and(|sub| sub.get_name() == "verify");
        }
        if takes_value(arg) {
            args.next();
        }
    }
    false
}

#[derive(Debug, clap::Subcommand)]
pub enum ConflictAction {
    /// End a token's conflict: `--keep mine` puts this machine's values back over
    /// the other member's (they reach the others at the next sync); `--keep theirs`
    /// keeps what is there.
    Resolve {
        /// Token name or id.
        token: String,
        /// mine or theirs.
        #[arg(long, value_parser = ["mine", "theirs"])]
        keep: String,
    },
}
