//! Settings that WebKitGTK, its JavaScript engine and GTK read from the environment only
//! as a process starts, so they cannot be applied from inside a running app (and Rust
//! makes changing the environment of a running process `unsafe`, which Tessera forbids).
//! `tessera-app` (launcher.rs, which links no toolkit) starts the window with them set;
//! a window started some other way starts itself once more, in place (`exec`, same
//! process id), with them set.
//!
//! This file is also a module of the launcher, so it uses nothing but `std`.
//!
//! What they save, what starting twice costs, and why glibc's `MALLOC_ARENA_MAX` is not
//! among them is measured in docs/benchmarks.md. A variable the user has set (to
//! anything) is left as it is.

/// The settings and why each one is there.
#[cfg(target_os = "linux")]
const SETTINGS: &[(&str, &str)] = &[
    // The window renders in software (webview.rs); WebKit's DMA-BUF renderer would still
    // map GPU buffers through Mesa in the web process.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // GTK would load OpenGL for the window it never draws with GL.
    ("GDK_GL", "disable"),
    // The page's JavaScript heap grows by 1.27× between collections instead of 2× (the
    // factor for a heap that is small beside the machine's memory). 1.27 is the factor
    // of JavaScriptCore's mini mode, which is not used as a whole: it also runs WebKit's
    // allocator's scavenger every 5 ms instead of every 125 ms, in every process, and on
    // two cores the scavenger and the app's IPC thread then spin on the allocator's
    // locks for 50-150 ms at random moments, so a keystroke now and then took that long.
    ("JSC_smallHeapGrowthFactor", "1.27"),
    // The page's first collection after 8 MB of JavaScript objects, not 32 MB: scrolling
    // the list makes short-lived objects, which would otherwise pile up first.
    ("JSC_largeHeapSize", "8388608"),
    // Every collection of the page's heap is a full one. With collections by
    // generation, the rows' objects that survived one collection (and the DOM nodes
    // their wrappers keep) waited for the next full one: 5-10 MiB more after scrolling.
    // The live heap is about 4 MB, so a full collection takes 4-16 ms, concurrently; the
    // keystrokes' p99 rose by a few ms.
    ("JSC_useGenerationalGC", "false"),
];

/// The settings above that the environment lacks.
pub fn missing() -> Vec<(&'static str, &'static str)> {
    #[cfg(target_os = "linux")]
    {
        SETTINGS
            .iter()
            .copied()
            .filter(|(name, _)| std::env::var_os(name).is_none())
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        Vec::new()
    }
}

/// Runs `program` in place of this process with this process's command line (its
/// name as given, too) and `settings` added to the environment. Returns only on failure.
#[cfg(unix)]
pub fn exec(program: &std::path::Path, settings: &[(&str, &str)]) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(program);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    command.args(args).envs(settings.iter().copied()).exec()
}
