//! SQLite's memory allocator for Tessera. Every allocation SQLite makes (decrypted
//! pages, row values, statements) comes from memory locked in RAM, so that it is not
//! written to swap, and is wiped when freed, so that a freed page does not keep a
//! token for whoever reads the process's memory later.
//!
//! SQLCipher's `cipher_memory_security` does the same with two system calls per
//! allocation (`mlock` on every `malloc`, `munlock` on every `free`), which made it
//! cost about ten times the time of a verification. Here memory is mapped and locked
//! once, in slabs of [`SLAB`] bytes, and cut into blocks of fixed size classes; a freed
//! block is wiped and kept on its class's free list for the next allocation of that
//! size, so it stays locked and no system call is made. Requests above the largest
//! class get a mapping of their own, locked when made and wiped before it is unmapped.
//! Slabs are also kept out of core dumps (`MADV_DONTDUMP`).
//!
//! Locking is best effort, as SQLCipher's is: past the process's `RLIMIT_MEMLOCK` a slab
//! is used unlocked, and [`stats`] says how many bytes are locked. Wiping always holds.
//! SQLCipher is built with `OMIT_MEMLOCK` (`.cargo/config.toml`): otherwise it calls
//! `mlock` and `munlock` around each of its own buffers, one of them made and freed for
//! every page it decrypts, and its `munlock` would unlock a slab's pages under blocks
//! still in use.
//!
//! [`install`] must run before SQLite is first used in the process (SQLite takes an
//! allocator only before it initializes); `tessera-core` calls it before opening any
//! vault, and checks with [`serving`] that SQLite allocates from here.

#[cfg(unix)]
mod slabs;

/// What the allocator holds now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes mapped for SQLite (slabs and large blocks).
    pub mapped: usize,
    /// Of those, bytes locked in RAM.
    pub locked: usize,
}

/// Makes this allocator SQLite's, once per process. `false` when SQLite was already
/// initialized (it then keeps the allocator it has) or on a platform without it.
pub fn install() -> bool {
    #[cfg(unix)]
    {
        slabs::install()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Whether SQLite allocates from this allocator now: one allocation through SQLite,
/// checked to lie in a slab.
pub fn serving() -> bool {
    #[cfg(unix)]
    {
        slabs::serving()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Bytes mapped and locked.
pub fn stats() -> Stats {
    #[cfg(unix)]
    {
        slabs::stats()
    }
    #[cfg(not(unix))]
    {
        Stats::default()
    }
}

/// The address and length of every slab, for tests that check them from outside (in
/// `/proc/self/smaps`).
pub fn slab_ranges() -> Vec<(usize, usize)> {
    #[cfg(unix)]
    {
        slabs::ranges()
    }
    #[cfg(not(unix))]
    {
        Vec::new()
    }
}

/// How many times `needle` occurs in SQLite's memory (every slab, blocks in use and
/// free), as someone reading the process's memory would find it. For tests: the
/// caller must make sure that no other thread uses SQLite meanwhile, since the scan
/// reads memory SQLite may be writing.
pub fn occurrences_for_tests(needle: &[u8]) -> usize {
    #[cfg(unix)]
    {
        slabs::occurrences(needle)
    }
    #[cfg(not(unix))]
    {
        let _ = needle;
        0
    }
}

/// The slab size: mapped and locked in one piece.
pub const SLAB: usize = 1 << 20;
