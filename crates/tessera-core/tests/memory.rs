//! What someone who reads the process's memory finds of a token in SQLite's memory, and
//! whether that memory can reach swap. SQLite allocates from Tessera's allocator
//! (`tessera-sqlite-memory`): locked slabs, blocks wiped when freed. The scan reads
//! every slab, blocks in use and free alike, as a memory dump would.

use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::{NewToken, Purpose};
use tessera_core::secret::Secret;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};

/// `Locked:` of the mapping that starts at `start`, in bytes, from `/proc/self/smaps`.
fn locked_bytes(start: usize) -> Option<usize> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        if let Some((range, _)) = line.split_once(' ')
            && let Some((from, _)) = range.split_once('-')
            && let Ok(from) = usize::from_str_radix(from, 16)
        {
            inside = from == start;
            continue;
        }
        if inside && let Some(kb) = line.strip_prefix("Locked:") {
            let kb: usize = kb.trim().trim_end_matches("kB").trim().parse().ok()?;
            return Some(kb * 1024);
        }
    }
    None
}

/// The soft `RLIMIT_MEMLOCK`, from `/proc/self/limits` (`None`: unlimited).
fn memlock_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max locked memory"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn a_locked_vault_leaves_no_token_in_sqlite_memory_and_none_of_it_can_reach_swap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("state"));
    let keys = MemoryKeyStore::new();
    let mut vault = Vault::create(&paths, NewProtection::Keyring, &keys).expect("create");
    let value = format!("glpat-{}", uuid::Uuid::from_u128(rand::random()).simple());
    let mut request = NewToken::new(TokenKind::External, "gitlab ci");
    request.value = Some(Secret::new(value.clone()));
    vault.create_token(request).expect("create");
    drop(vault);

    let mut vault = Vault::open(&paths, &keys, None).expect("open");
    let shown = vault
        .reveal_secret("gitlab ci", Purpose::Reveal)
        .expect("reveal");
    assert_eq!(shown.expose(), value);
    drop(shown);
    // The scan sees SQLite's memory: while the vault is open, its page cache holds the
    // decrypted page with the token.
    let open = tessera_sqlite_memory::occurrences_for_tests(value.as_bytes());
    assert!(open > 0, "the open vault's pages are in SQLite's memory");

    // Locked: every page and row SQLite held is freed, and so wiped.
    drop(vault);
    assert_eq!(
        tessera_sqlite_memory::occurrences_for_tests(value.as_bytes()),
        0,
        "a freed block of SQLite's memory still holds the token"
    );

    // Every slab is locked in RAM, as the kernel reports it, where the limit allows.
    let stats = tessera_sqlite_memory::stats();
    let slabs = tessera_sqlite_memory::slab_ranges();
    assert!(!slabs.is_empty() && stats.mapped > 0);
    let limit = memlock_limit();
    for (start, len) in slabs {
        let locked = locked_bytes(start).expect("the slab in /proc/self/smaps");
        if limit.is_none_or(|limit| limit >= stats.mapped) {
            assert_eq!(locked, len, "slab at {start:#x}");
        }
    }
    if limit.is_none_or(|limit| limit >= stats.mapped) {
        assert_eq!(stats.locked, stats.mapped);
    }
}
