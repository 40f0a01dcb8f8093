//! Private files written atomically: a temp file in the same folder with mode 0600,
//! fsynced, then renamed over the target, so a reader sees the old file or the new one
//! and never half of either.

use crate::model::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically with owner-only permissions: a temp file made by
/// tempfile (mode 0600 from its creation, removed if anything fails), fsynced, renamed
/// over the target, and the folder fsynced.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_private_with(path, |file| {
        file.write_all(bytes)
            .map_err(|e| Error::io("cannot write", path, e))
    })
}

/// [`write_private`] with the contents streamed by `write` into the temp file: the
/// target appears, whole, only once `write` succeeded; on its error the temp file is
/// removed and the target left as it was.
pub fn write_private_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = parent_of(path);
    if path.is_dir() {
        return Err(Error::io(
            "cannot write",
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder"),
        ));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tessera-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io("cannot write in", dir, e))?;
    write(tmp.as_file_mut())?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("cannot write", tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    sync_folder(dir);
    Ok(())
}

/// Renames `from` over `to` and syncs the folder, so the rename survives a crash.
pub fn rename_durably(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::io("cannot write", to, e))?;
    sync_folder(parent_of(to));
    Ok(())
}

/// The folder `path` is in.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Syncs a folder, so that a rename in it survives a crash (best effort: not every
/// file system lets a folder be opened for it).
fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates a folder (and its parents) readable by the owner only.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create folder", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("cannot set permissions of", dir, e))?;
    }
    Ok(())
}

/// Makes `dir` mode 0700 and each of `files` that exists 0600 again when they are open
/// to others (a `chmod`, an archive unpacked with its own modes); refuses a folder or
/// file owned by another user, whose owner could change it back at will.
pub fn keep_private(dir: &Path, files: &[std::path::PathBuf]) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let me = rustix::process::getuid().as_raw();
        let mut places = vec![(dir, 0o700)];
        places.extend(files.iter().map(|f| (f.as_path(), 0o600)));
        for (path, mode) in places {
            let meta = match std::fs::metadata(path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("cannot read", path, e)),
            };
            if meta.uid() != me {
                return Err(Error::invalid(
                    "vault folder",
                    format!(
                        "{} belongs to another user (uid {}); move the vault to a folder of your own",
                        path.display(),
                        meta.uid()
                    ),
                ));
            }
            if meta.permissions().mode() & 0o077 != 0 {
                match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
                    // A read-only disk: nothing there can be changed by anyone, and the
                    // open says so when it first writes.
                    Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {}
                    Err(e) => return Err(Error::io("cannot make private", path, e)),
                    Ok(()) => {}
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_private_and_replace_whole_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("file.json");
        write_private(&path, b"first").expect("write");
        write_private(&path, b"second").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers = std::fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "no temp file is left behind");
        assert!(write_private(dir.path(), b"x").is_err());
        assert!(write_private(&dir.path().join("missing/file"), b"x").is_err());
    }
}
