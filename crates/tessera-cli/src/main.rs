//! `tessera`: the command-line face of Tessera, a thin layer over `tessera-core`.
//! Exit status: 0 success, 1 `verify` found the token inactive, 2 any error. For
//! `verify`, 0 means "active" and nothing else: its help, its version and every usage
//! error exit 2, so a presented token of `--help` is never accepted.

mod backup;
mod cli;
mod client;
mod commands;
mod import;
mod input;
mod output;
mod palette;
mod run;
mod scan;
mod serve;
mod shared;

use clap::Parser;
use tessera_core::VaultPaths;
use tessera_core::keys::OsKeyring;

fn main() {
    #[cfg(not(debug_assertions))]
    if let Err(err) = tessera_core::process::harden() {
        eprintln!("tessera: cannot turn off core dumps: {err}");
        std::process::exit(1);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            let verifying = cli::invokes_verify(std::env::args_os().skip(1));
            std::process::exit(if verifying { 2 } else { err.exit_code() });
        }
    };
    let paths = match cli.home {
        Some(dir) => Ok(VaultPaths::in_dir(dir)),
        None => VaultPaths::default_location(),
    };
    let result = paths.and_then(|paths| {
        let mut ctx = commands::Context {
            paths,
            input: input::Input::new(),
            password_stdin: cli.password_stdin,
            keyring: OsKeyring::default(),
            shared: cli.vault,
        };
        commands::run(&mut ctx, cli.command)
    });
    match result {
        Ok(commands::Exit::Ok) => {}
        Ok(commands::Exit::Inactive) => std::process::exit(1),
        Ok(commands::Exit::Interrupted) => std::process::exit(130),
        Ok(commands::Exit::Code(code)) => std::process::exit(code),
        Err(err) => {
            output::note(&format!("error: {err}"));
            if matches!(err, tessera_core::Error::RolledBack(_)) {
                output::note("To keep the restored copy: tessera accept-restore");
            }
            std::process::exit(2);
        }
    }
}
