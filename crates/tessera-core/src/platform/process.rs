//! Process hardening for the programs that hold an unlocked vault. A core dump would
//! write decrypted pages and keys to disk, and another process of the same user could
//! attach with ptrace or read `/proc/PID/mem`. `harden` turns core dumps off and makes
//! the process non-dumpable (`PR_SET_DUMPABLE` 0), which also refuses ptrace from
//! processes without `CAP_SYS_PTRACE`. The CLI and the app call it first thing in
//! release builds (debug builds stay debuggable).

/// Turns core dumps off for good and makes the process non-dumpable. Linux only;
/// elsewhere it does nothing.
pub fn harden() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        setrlimit(Resource::Core, none)?;
        set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    }
    Ok(())
}

/// Whether [`harden`] is in effect: no core dumps and not dumpable.
pub fn is_hardened() -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};
        dumpable_behavior().is_ok_and(|b| b == DumpableBehavior::NotDumpable)
            && getrlimit(Resource::Core).maximum == Some(0)
    }
    #[cfg(not(target_os = "linux"))]
    false
}
