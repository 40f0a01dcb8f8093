//! `tessera run` and `tessera inject`: references (`tessera://NAME[/FIELD]`) in the
//! environment, in env files or in a template, resolved by one core call (which
//! refuses a revoked or expired token and audits the use), then handed to a program run
//! directly (no shell) or written into a file. The child's output is masked: each
//! secret it prints becomes `<tessera:NAME>`.

use crate::commands::{Context, Exit};
use crate::output::note;
use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tessera_core::audit::AuditAction;
use tessera_core::imports::Format;
use tessera_core::masking::Masker;
use tessera_core::reference::{Reference, is_reference, placeholders};
use tessera_core::{Error, Result, Secret};

/// A template larger than this is refused unread.
const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;

/// What `tessera run` was asked.
pub struct RunArgs {
    pub env_files: Vec<PathBuf>,
    pub masking: bool,
    pub inherit_env: bool,
    pub command: Vec<OsString>,
}

pub fn run(ctx: &mut Context, args: RunArgs) -> Result<Exit> {
    let Some((program, program_args)) = args.command.split_first() else {
        return Err(Error::invalid(
            "command",
            "give the command to run after --",
        ));
    };
    let mut env: Vec<(OsString, OsString)> = if args.inherit_env {
        std::env::vars_os().collect()
    } else {
        Vec::new()
    };
    for file in &args.env_files {
        for (key, value) in env_file(file)? {
            env.retain(|(k, _)| *k != key);
            env.push((key, value));
        }
    }
    // The variables whose value is a reference, in order.
    let mut references = Vec::new();
    let mut slots = Vec::new();
    for (index, (key, value)) in env.iter().enumerate() {
        let Some(text) = value.to_str().filter(|v| is_reference(v)) else {
            continue;
        };
        let reference: Reference = text.parse().map_err(|err| {
            Error::invalid(
                "reference",
                format!("{}: {}", key.to_string_lossy(), reason(err)),
            )
        })?;
        references.push(reference);
        slots.push(index);
    }
    let name = Path::new(program)
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy()
        .into_owned();
    let values = if references.is_empty() {
        Vec::new()
    } else {
        let mut vault = ctx.open()?;
        vault.resolve(&references, &name, AuditAction::Run)?
    };
    for (&index, value) in slots.iter().zip(&values) {
        // Handed to the child's environment, as asked.
        env[index].1 = OsString::from(value.expose());
    }
    let labels: Vec<(&Secret, &str)> = values
        .iter()
        .zip(&references)
        .map(|(value, reference)| (value, reference.token.as_str()))
        .collect();
    let mut command = Command::new(program);
    command
        .args(program_args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)));
    let masked = args.masking && !labels.is_empty();
    // On a terminal, the child writes to a pseudo-terminal, so that it sees one (colours,
    // `isatty`) while its output still passes through the masking.
    let mut master = None;
    if masked && std::io::stdout().is_terminal() {
        let (pty, slave) = pseudo_terminal()?;
        let slave_err = slave
            .try_clone()
            .map_err(|e| Error::invalid("command", format!("no pseudo-terminal: {e}")))?;
        command.stdout(slave).stderr(slave_err);
        master = Some(pty);
    } else if masked {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = command.spawn().map_err(|e| {
        Error::invalid(
            "command",
            format!("cannot run {}: {e}", program.to_string_lossy()),
        )
    })?;
    // The parent's copies of the terminal's other end go with the command: once the
    // child exits, reading the pseudo-terminal ends.
    drop(command);
    drop(env);
    let resize = match &master {
        Some(pty) => Some(
            pty.try_clone()
                .map_err(|e| Error::invalid("command", format!("no pseudo-terminal: {e}")))?,
        ),
        None => None,
    };
    let forwarding = forward_signals(child.id(), resize)?;
    let mut pumps = Vec::new();
    if let Some(master) = master {
        let masker = Masker::new(&labels);
        pumps.push(std::thread::spawn(move || {
            pump(master, std::io::stdout(), masker)
        }));
    } else if masked {
        if let Some(out) = child.stdout.take() {
            let masker = Masker::new(&labels);
            pumps.push(std::thread::spawn(move || {
                pump(out, std::io::stdout(), masker)
            }));
        }
        if let Some(err) = child.stderr.take() {
            let masker = Masker::new(&labels);
            pumps.push(std::thread::spawn(move || {
                pump(err, std::io::stderr(), masker)
            }));
        }
    }
    drop(labels);
    drop(values);
    let status = child
        .wait()
        .map_err(|e| Error::invalid("command", format!("waiting for the command: {e}")))?;
    for pump in pumps {
        let _ = pump.join();
    }
    forwarding.close();
    use std::os::unix::process::ExitStatusExt;
    Ok(Exit::Code(match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    }))
}

/// A pseudo-terminal: its master side (read by Tessera) and its slave side (the
/// child's stdout and stderr), sized as Tessera's own terminal.
fn pseudo_terminal() -> Result<(std::fs::File, std::fs::File)> {
    use rustix::pty::OpenptFlags;
    let failed = |e: std::io::Error| Error::invalid("command", format!("no pseudo-terminal: {e}"));
    let master =
        rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)
            .map_err(|e| failed(e.into()))?;
    rustix::pty::grantpt(&master).map_err(|e| failed(e.into()))?;
    rustix::pty::unlockpt(&master).map_err(|e| failed(e.into()))?;
    let name = rustix::pty::ptsname(&master, Vec::new()).map_err(|e| failed(e.into()))?;
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(name.as_bytes()));
    use std::os::unix::fs::OpenOptionsExt;
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
        .open(&path)
        .map_err(failed)?;
    if let Ok(size) = rustix::termios::tcgetwinsize(std::io::stdout()) {
        let _ = rustix::termios::tcsetwinsize(&slave, size);
    }
    // Line endings pass as the child writes them: Tessera's own terminal turns "\n"
    // into "\r\n" once.
    if let Ok(mut modes) = rustix::termios::tcgetattr(&slave) {
        modes
            .output_modes
            .remove(rustix::termios::OutputModes::ONLCR);
        let _ = rustix::termios::tcsetattr(&slave, rustix::termios::OptionalActions::Now, &modes);
    }
    Ok((std::fs::File::from(master), slave))
}

/// Copies `from` to `to` through `masker` until `from` ends.
fn pump(mut from: impl Read, mut to: impl Write, mut masker: Masker) {
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let out = masker.feed(&buf[..n]);
        if to.write_all(&out).and_then(|()| to.flush()).is_err() {
            break;
        }
    }
    let _ = to.write_all(&masker.finish());
    let _ = to.flush();
}

/// Forwards SIGINT, SIGTERM and SIGHUP that another process sent Tessera (`kill`) to the
/// child while it runs. Those the terminal raised (Ctrl-C, a hang-up) are not forwarded:
/// the terminal sends them to its whole foreground process group, the child included,
/// and a second copy would make the child see Ctrl-C twice.
///
/// With `resize` (the child's pseudo-terminal), a resized terminal (SIGWINCH) resizes the
/// child's pseudo-terminal too, and only then is the child told: the terminal's own
/// SIGWINCH may reach it before the new size is in place.
fn forward_signals(
    child: u32,
    resize: Option<std::fs::File>,
) -> Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGWINCH};
    use signal_hook::iterator::exfiltrator::WithOrigin;
    use signal_hook::low_level::siginfo::Cause;
    let mut wanted = vec![SIGINT, SIGTERM, SIGHUP];
    if resize.is_some() {
        wanted.push(SIGWINCH);
    }
    let mut signals = signal_hook::iterator::SignalsInfo::<WithOrigin>::new(wanted)
        .map_err(|e| Error::invalid("signals", format!("cannot forward signals: {e}")))?;
    let handle = signals.handle();
    let pid = rustix::process::Pid::from_raw(child as i32);
    std::thread::spawn(move || {
        for origin in signals.forever() {
            let Some(pid) = pid else { break };
            if origin.signal == SIGWINCH {
                if let Some(pty) = &resize
                    && let Ok(size) = rustix::termios::tcgetwinsize(std::io::stdout())
                {
                    let _ = rustix::termios::tcsetwinsize(pty, size);
                }
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::WINCH);
                continue;
            }
            if origin.cause == Cause::Kernel {
                continue;
            }
            if let Some(signal) = rustix::process::Signal::from_named_raw(origin.signal) {
                let _ = rustix::process::kill_process(pid, signal);
            }
        }
    });
    Ok(handle)
}

/// An env file's variables, later lines winning.
fn env_file(path: &Path) -> Result<Vec<(OsString, OsString)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid("env file", format!("cannot read {}: {e}", path.display())))?;
    let parsed = tessera_core::imports::parse(Format::Dotenv, text.as_bytes(), None)?;
    if let Some(bad) = parsed
        .skipped
        .iter()
        .find(|s| s.reason != "the value is empty")
    {
        return Err(Error::invalid(
            "env file",
            format!("{}, {}: {}", path.display(), bad.entry, bad.reason),
        ));
    }
    Ok(parsed
        .entries
        .into_iter()
        // The file's values, as the child will see them.
        .map(|e| (OsString::from(e.name), OsString::from(e.value.expose())))
        .collect())
}

fn reason(err: Error) -> String {
    match err {
        Error::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// `tessera inject -i TEMPLATE -o OUT`.
pub fn inject(ctx: &mut Context, template: &Path, output: &OsStr) -> Result<Exit> {
    let meta = std::fs::metadata(template).map_err(|e| {
        Error::invalid(
            "template",
            format!("cannot read {}: {e}", template.display()),
        )
    })?;
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::invalid(
            "template",
            format!("{} is larger than 4 MiB", template.display()),
        ));
    }
    let text = std::fs::read_to_string(template).map_err(|e| {
        Error::invalid(
            "template",
            format!("cannot read {}: {e}", template.display()),
        )
    })?;
    let found = placeholders(&text)?;
    let references: Vec<Reference> = found.iter().map(|(_, r)| r.clone()).collect();
    let values = if references.is_empty() {
        Vec::new()
    } else {
        let mut vault = ctx.open()?;
        let program = format!("inject {}", template.display());
        vault.resolve(&references, &program, AuditAction::Inject)?
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for ((range, _), value) in found.iter().zip(&values) {
        out.push_str(&text[at..range.start]);
        // Written where the template asks for it.
        out.push_str(value.expose());
        at = range.end;
    }
    out.push_str(&text[at..]);
    let out = Secret::new(out);
    if output == "-" {
        crate::output::emit(out.expose());
    } else {
        let path = Path::new(output);
        tessera_core::write_private_file(path, out.expose().as_bytes())?;
        note(&format!(
            "Wrote {} with {} reference{} resolved (mode 0600).",
            path.display(),
            references.len(),
            if references.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(Exit::Ok)
}
