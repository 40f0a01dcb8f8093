//! The allocator itself: size classes cut from locked slabs, free lists, and the
//! `sqlite3_mem_methods` SQLite calls.
//!
//! Every block starts with a [`HEADER`] of 16 bytes: its class (or, for a large block,
//! `LARGE` and its mapping's length), then, while it is free, the address of the next
//! free block of its class. The caller's bytes follow, 16-byte aligned.

use crate::{SLAB, Stats};
use libsqlite3_sys as ffi;
use std::ffi::{c_int, c_void};
use std::sync::{Mutex, MutexGuard, OnceLock};

const HEADER: usize = 16;
/// The class marker of a block with a mapping of its own.
const LARGE: usize = usize::MAX;
const PAGE: usize = 4096;

/// Block sizes: every 16 bytes up to 128, then four sizes per doubling up to 256 KiB
/// (so a block wastes at most a quarter of itself beyond 128 bytes).
const CLASSES: [usize; 52] = {
    let mut sizes = [0usize; 52];
    let mut i = 0;
    while i < 8 {
        sizes[i] = 16 * (i + 1);
        i += 1;
    }
    let mut power = 128;
    while i < 52 {
        let mut step = 1;
        while step <= 4 {
            sizes[i] = power + step * (power / 4);
            i += 1;
            step += 1;
        }
        power *= 2;
    }
    sizes
};
const LARGEST: usize = CLASSES[CLASSES.len() - 1];

struct State {
    /// Per class, the header address of the first free block (0: none).
    free: [usize; CLASSES.len()],
    /// The unused rest of the newest slab.
    next: usize,
    end: usize,
    slabs: Vec<(usize, usize)>,
    stats: Stats,
}

static STATE: Mutex<State> = Mutex::new(State {
    free: [0; CLASSES.len()],
    next: 0,
    end: 0,
    slabs: Vec::new(),
    stats: Stats {
        mapped: 0,
        locked: 0,
    },
});

fn state() -> MutexGuard<'static, State> {
    // A panic cannot happen with the lock held (nothing in it panics); a poisoned lock
    // would still hold consistent lists.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn class_of(size: usize) -> usize {
    CLASSES.partition_point(|&class| class < size)
}

/// Maps `len` bytes (a multiple of the page size), locks them if the limit allows and
/// keeps them out of core dumps. Returns the address and whether it is locked.
fn map(len: usize) -> Option<(usize, bool)> {
    // SAFETY: a new private anonymous mapping aliases nothing; the kernel picks the
    // address.
    let ptr = unsafe {
        rustix::mm::mmap_anonymous(
            std::ptr::null_mut(),
            len,
            rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
            rustix::mm::MapFlags::PRIVATE,
        )
    }
    .ok()?;
    // SAFETY: `ptr..ptr + len` is the mapping just made; locking and advising it
    // change no byte of it.
    let locked = unsafe { rustix::mm::mlock(ptr, len) }.is_ok();
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: as above.
        let _ = unsafe { rustix::mm::madvise(ptr, len, rustix::mm::Advice::LinuxDontDump) };
    }
    Some((ptr as usize, locked))
}

/// Wipes `len` bytes at `at`.
///
/// # Safety
/// `at..at + len` must be memory this allocator owns and no one else uses now.
unsafe fn wipe(at: usize, len: usize) {
    // SAFETY: the caller's promise.
    unsafe { std::ptr::write_bytes(at as *mut u8, 0, len) };
    // The block is handed out again, so the writes are not dead; the fence keeps them
    // from being reordered past the unlock that publishes the block.
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

/// Reads a header word.
///
/// # Safety
/// `at` must be a block's header address (or its second word).
unsafe fn read(at: usize) -> usize {
    // SAFETY: the caller's promise; headers are 16-byte aligned.
    unsafe { *(at as *const usize) }
}

/// Writes a header word.
///
/// # Safety
/// As [`read`], and the block must not be in use by SQLite's caller.
unsafe fn write(at: usize, value: usize) {
    // SAFETY: the caller's promise.
    unsafe { *(at as *mut usize) = value };
}

fn allocate(size: usize) -> *mut c_void {
    if size > LARGEST {
        return allocate_large(size);
    }
    let class = class_of(size);
    let need = HEADER + CLASSES[class];
    let mut state = state();
    let header = if state.free[class] != 0 {
        let header = state.free[class];
        // SAFETY: a free block's header is ours; its second word links the list.
        unsafe {
            state.free[class] = read(header + 8);
            write(header + 8, 0);
        }
        header
    } else {
        if state.end - state.next < need {
            let Some((slab, locked)) = map(SLAB) else {
                return std::ptr::null_mut();
            };
            state.slabs.push((slab, SLAB));
            state.stats.mapped += SLAB;
            state.stats.locked += if locked { SLAB } else { 0 };
            state.next = slab;
            state.end = slab + SLAB;
        }
        let header = state.next;
        state.next += need;
        // SAFETY: the bytes come from the slab's unused rest, which no block holds.
        unsafe { write(header, class) };
        header
    };
    (header + HEADER) as *mut c_void
}

fn allocate_large(size: usize) -> *mut c_void {
    let len = (HEADER + size).div_ceil(PAGE) * PAGE;
    let Some((at, locked)) = map(len) else {
        return std::ptr::null_mut();
    };
    let mut state = state();
    state.stats.mapped += len;
    state.stats.locked += if locked { len } else { 0 };
    drop(state);
    // SAFETY: the mapping was just made for this block. Its length is a multiple of
    // the page size, so the low bit is free to say whether it is locked.
    unsafe {
        write(at, LARGE);
        write(at + 8, len | usize::from(locked));
    }
    (at + HEADER) as *mut c_void
}

/// The usable size of the block at `ptr`.
///
/// # Safety
/// `ptr` must come from [`allocate`] and not be freed.
unsafe fn size_of(ptr: *mut c_void) -> usize {
    let header = ptr as usize - HEADER;
    // SAFETY: the caller's promise.
    match unsafe { read(header) } {
        // SAFETY: as above: a large block's second word is its length.
        LARGE => (unsafe { read(header + 8) } & !1) - HEADER,
        class => CLASSES[class],
    }
}

/// Wipes and frees the block at `ptr`.
///
/// # Safety
/// `ptr` must come from [`allocate`] and not be freed, and no one may use it after.
unsafe fn release(ptr: *mut c_void) {
    let header = ptr as usize - HEADER;
    // SAFETY: the caller's promise.
    let class = unsafe { read(header) };
    if class == LARGE {
        // SAFETY: as above.
        let word = unsafe { read(header + 8) };
        let (len, locked) = (word & !1, word & 1 == 1);
        // SAFETY: the whole mapping belongs to this block.
        unsafe { wipe(header, len) };
        // SAFETY: `header..header + len` is the block's own mapping, unused from now.
        let _ = unsafe { rustix::mm::munmap(header as *mut c_void, len) };
        let mut state = state();
        state.stats.mapped -= len;
        state.stats.locked -= if locked { len } else { 0 };
        return;
    }
    // SAFETY: the caller gave the block back; its bytes are ours to wipe.
    unsafe { wipe(ptr as usize, CLASSES[class]) };
    let mut state = state();
    // SAFETY: the header is the block's, which is free from here.
    unsafe { write(header + 8, state.free[class]) };
    state.free[class] = header;
}

unsafe extern "C" fn x_malloc(size: c_int) -> *mut c_void {
    match usize::try_from(size) {
        Ok(size) if size > 0 => allocate(size),
        _ => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn x_free(ptr: *mut c_void) {
    if !ptr.is_null() {
        // SAFETY: SQLite frees only what its xMalloc/xRealloc gave it, once.
        unsafe { release(ptr) };
    }
}

unsafe extern "C" fn x_realloc(ptr: *mut c_void, size: c_int) -> *mut c_void {
    if ptr.is_null() {
        // SAFETY: allocating has no precondition.
        return unsafe { x_malloc(size) };
    }
    let Ok(size) = usize::try_from(size) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `ptr` is a live block SQLite got from us.
    let old = unsafe { size_of(ptr) };
    let same_class = size <= LARGEST && old <= LARGEST && class_of(size) == class_of(old);
    if same_class || (old > LARGEST && size <= old && size > LARGEST) {
        return ptr;
    }
    let new = allocate(size.max(1));
    if new.is_null() {
        // As realloc: the old block stays as it was.
        return new;
    }
    // SAFETY: both blocks are live, distinct, and at least this long.
    unsafe {
        std::ptr::copy_nonoverlapping(ptr as *const u8, new as *mut u8, old.min(size));
        release(ptr);
    }
    new
}

unsafe extern "C" fn x_size(ptr: *mut c_void) -> c_int {
    if ptr.is_null() {
        return 0;
    }
    // SAFETY: SQLite asks only about its live blocks.
    c_int::try_from(unsafe { size_of(ptr) }).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(size: c_int) -> c_int {
    let Ok(wanted) = usize::try_from(size) else {
        return size;
    };
    let rounded = if wanted <= LARGEST {
        CLASSES[class_of(wanted)]
    } else {
        (HEADER + wanted).div_ceil(PAGE) * PAGE - HEADER
    };
    c_int::try_from(rounded).unwrap_or(size)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

pub(crate) fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(x_malloc),
            xFree: Some(x_free),
            xRealloc: Some(x_realloc),
            xSize: Some(x_size),
            xRoundup: Some(x_roundup),
            xInit: Some(x_init),
            xShutdown: Some(x_shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLite copies the methods; it refuses (SQLITE_MISUSE) once it is
        // initialized, and this runs once, before Tessera opens any connection.
        let rc = unsafe {
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_MALLOC,
                &methods as *const ffi::sqlite3_mem_methods,
            )
        };
        rc == ffi::SQLITE_OK
    })
}

pub(crate) fn serving() -> bool {
    // SAFETY: sqlite3_malloc and sqlite3_free have no preconditions; the block is
    // freed at once.
    let ptr = unsafe { ffi::sqlite3_malloc(64) } as usize;
    if ptr == 0 {
        return false;
    }
    let inside = state()
        .slabs
        .iter()
        .any(|&(at, len)| (at..at + len).contains(&ptr));
    // SAFETY: as above.
    unsafe { ffi::sqlite3_free(ptr as *mut c_void) };
    inside
}

pub(crate) fn stats() -> Stats {
    state().stats
}

pub(crate) fn ranges() -> Vec<(usize, usize)> {
    state().slabs.clone()
}

pub(crate) fn occurrences(needle: &[u8]) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let state = state();
    state
        .slabs
        .iter()
        .map(|&(at, len)| {
            // SAFETY: slabs stay mapped for the life of the process; the caller makes
            // sure no thread writes to SQLite's memory during the scan.
            let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, len) };
            bytes.windows(needle.len()).filter(|w| *w == needle).count()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_grow_and_cover_every_size() {
        assert!(CLASSES.windows(2).all(|w| w[0] < w[1] && w[0] % 16 == 0));
        assert_eq!(LARGEST, 256 << 10);
        for size in [1, 16, 17, 128, 129, 4096, 4097, 4296, LARGEST] {
            let class = CLASSES[class_of(size)];
            assert!(
                class >= size && (size <= 128 || class - size < class / 4),
                "{size}"
            );
        }
    }

    /// A freed block holds no byte of what was written to it; a reused one starts
    /// wiped; realloc keeps the contents.
    #[test]
    fn freed_blocks_are_wiped_and_reused() {
        for size in [24, 4296, LARGEST, LARGEST + 1, 3 << 20] {
            let ptr = allocate(size) as *mut u8;
            assert!(!ptr.is_null());
            // SAFETY: a live block of at least `size` bytes.
            unsafe {
                std::ptr::write_bytes(ptr, 0xA5, size);
                assert!(size_of(ptr as *mut c_void) >= size);
                let grown = x_realloc(ptr as *mut c_void, c_int::try_from(size * 2).expect("int"));
                let grown = grown as *mut u8;
                assert_eq!(*grown.add(size - 1), 0xA5);
                if size <= LARGEST / 2 {
                    // The old block went back to its free list, wiped.
                    let header = ptr as usize - HEADER;
                    let bytes = std::slice::from_raw_parts(ptr, CLASSES[read(header)]);
                    assert!(bytes.iter().all(|&b| b == 0), "size {size}");
                }
                release(grown as *mut c_void);
            }
        }
        let a = allocate(100) as usize;
        // SAFETY: a live block, freed once.
        unsafe { release(a as *mut c_void) };
        let b = allocate(100) as usize;
        assert_eq!(a, b, "a freed block is handed out again");
        // SAFETY: as above.
        unsafe {
            assert!(
                std::slice::from_raw_parts(b as *const u8, 112)
                    .iter()
                    .all(|&x| x == 0)
            );
            release(b as *mut c_void);
        }
    }
}
