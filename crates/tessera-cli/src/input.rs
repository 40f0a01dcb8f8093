//! Reading passwords, passphrases and pasted secrets: from standard input when asked
//! (one per line, in the order the command needs them), from `TESSERA_PASSWORD`, or
//! from a hidden prompt on the terminal. Never from an argument.

use std::io::{BufRead, IsTerminal};
use tessera_core::{Error, MasterPassword, NewProtection, Result, Secret};

/// Standard input, read a line at a time on demand.
pub struct Input {
    lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl Input {
    pub fn new() -> Self {
        Input { lines: None }
    }

    /// The next line of standard input, without its line ending.
    pub fn line(&mut self, what: &str) -> Result<Secret> {
        let lines = self
            .lines
            .get_or_insert_with(|| std::io::stdin().lock().lines());
        match lines.next() {
            Some(Ok(line)) => Ok(Secret::new(line.trim_end_matches('\r').to_string())),
            Some(Err(e)) => Err(Error::invalid(
                "input",
                format!("cannot read the {what} from stdin: {e}"),
            )),
            None => Err(Error::invalid(
                "input",
                format!("expected the {what} on stdin, found the end of input"),
            )),
        }
    }

    /// A secret from stdin when it is not a terminal, else from a hidden prompt.
    pub fn secret(&mut self, what: &str) -> Result<Secret> {
        if !std::io::stdin().is_terminal() {
            return self.line(what);
        }
        prompt(&format!("{what}: "))
    }
}

/// A hidden prompt on the terminal.
pub fn prompt(label: &str) -> Result<Secret> {
    rpassword::prompt_password(label)
        .map(Secret::new)
        .map_err(|e| {
            Error::invalid(
                "input",
                format!(
                    "cannot prompt on the terminal ({e}); use --password-stdin or TESSERA_PASSWORD"
                ),
            )
        })
}

/// The master password to open a password vault.
pub fn password(input: &mut Input, from_stdin: bool) -> Result<Secret> {
    if from_stdin {
        return input.line("master password");
    }
    if let Ok(value) = std::env::var("TESSERA_PASSWORD") {
        return Ok(Secret::new(value));
    }
    if std::io::stdin().is_terminal() {
        return prompt("Master password: ");
    }
    Err(Error::PasswordRequired)
}

/// A new master password: stdin, `TESSERA_PASSWORD`, or prompted twice.
pub fn new_password(
    input: &mut Input,
    from_stdin: bool,
    env_allowed: bool,
) -> Result<MasterPassword> {
    let password = if from_stdin {
        input.line("new master password")?
    } else if let Some(value) = std::env::var("TESSERA_PASSWORD")
        .ok()
        .filter(|_| env_allowed)
    {
        Secret::new(value)
    } else if std::io::stdin().is_terminal() {
        let first = prompt("New master password: ")?;
        let again = prompt("Repeat it: ")?;
        if first != again {
            return Err(Error::invalid("master password", "the two entries differ"));
        }
        first
    } else {
        return Err(Error::invalid(
            "master password",
            "give it with --password-stdin or TESSERA_PASSWORD",
        ));
    };
    MasterPassword::new(password)
}

/// How a vault made or recovered here keeps its key: the keyring when asked, else a new
/// master password (stdin, `TESSERA_PASSWORD`, or prompted twice).
pub fn new_protection(input: &mut Input, keyring: bool, from_stdin: bool) -> Result<NewProtection> {
    if keyring {
        return Ok(NewProtection::Keyring);
    }
    Ok(NewProtection::Password(new_password(
        input, from_stdin, true,
    )?))
}
