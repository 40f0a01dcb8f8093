//! The one gate of the tests that need a real environment (a display, mounts, a
//! keyring), shared by the core's and the CLI's tests.

/// Whether the environment a test needs is here (`var` set to 1). Without it the test
/// does not run and says so; under CI (`CI` set) that is a failure, not a pass: the
/// Makefile runs each such test where its environment is, and skips it elsewhere.
pub fn environment(var: &str, what: &str) -> bool {
    if std::env::var(var).as_deref() == Ok("1") {
        return true;
    }
    let message = format!("not run: set {var}=1 {what}");
    assert!(
        std::env::var_os("CI").is_none_or(|ci| ci.is_empty()),
        "{message}"
    );
    eprintln!("{message}");
    false
}
