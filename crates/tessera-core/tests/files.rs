//! A folder's files as bytes, to show that an operation changed none of them; shared
//! by the core's and the CLI's tests.

/// Every file in a folder and the folders within it, by its path relative to the
/// folder, with its bytes, sorted by path.
pub fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).expect("inside").to_string_lossy();
                out.push((name.into_owned(), std::fs::read(&path).expect("read")));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// [`snapshot`] without the WAL's shared-memory index (`*-shm`), which readers write:
/// what says whether an operation changed a vault's data.
#[allow(dead_code)]
pub fn data_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = snapshot(dir);
    files.retain(|(name, _)| !name.ends_with("-shm"));
    files
}
