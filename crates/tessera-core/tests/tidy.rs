//! The core's structure, as ARCHITECTURE.md states it, held by reading the sources:
//! the layers import only downwards and no file imports itself back through others;
//! SQLite, the `rsa` crate and the clipboard each have their one place; nothing of
//! Tauri is in the core; and the code map names every file. (Read as text: `use` and
//! `crate::` paths outside comments and the `#[cfg(test)] mod tests` at a file's end.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first; a file may use its own layer's folder and those with a
/// lower rank. Layers of one rank do not use each other.
const LAYERS: &[(&str, u8)] = &[
    ("model", 0),
    ("crypto", 1),
    ("platform", 1),
    ("import", 1),
    ("index", 2),
    ("store", 3),
    ("vault", 4),
];

/// External crates with their places in the core: (crate path prefix, allowed prefix);
/// a crate listed twice may be used in either place.
const CONFINED: &[(&str, &str)] = &[
    ("rusqlite", "store/"),
    ("rsa::", "crypto/rsa.rs"),
    ("arboard", "platform/clipboard.rs"),
    ("nucleo_matcher", "index/"),
    ("tessera_sqlite_memory", "store/connection.rs"),
    ("jsonwebtoken", "crypto/jwt.rs"),
    ("age::", "crypto/recovery.rs"),
    ("age::", "crypto/age_file.rs"),
    ("tar::", "vault/backup.rs"),
    ("hpke", "crypto/identity.rs"),
    ("ed25519_dalek", "crypto/identity.rs"),
    ("chacha20poly1305", "crypto/shared_record.rs"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, relative to it, with its code: comments and the
/// trailing test module removed.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("source");
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => &text[..at],
                None => &text[..],
            };
            let code: String = code
                .lines()
                .map(|line| match line.find("//") {
                    Some(at) => &line[..at],
                    None => line,
                })
                .collect::<Vec<_>>()
                .join("\n");
            let name = path
                .strip_prefix(src())
                .expect("under src")
                .to_string_lossy()
                .into_owned();
            (name, code)
        })
        .collect()
}

fn layer_of(file: &str) -> Option<(&'static str, u8)> {
    let top = file.split('/').next()?;
    LAYERS.iter().copied().find(|(name, _)| *name == top)
}

/// The files a source file names through `crate::` paths (braces expanded), resolved
/// to the longest path that is a file.
fn imports(file: &str, code: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let resolve = |parts: &[&str]| -> Option<String> {
        (1..=parts.len()).rev().find_map(|n| {
            let base = parts[..n].join("/");
            [format!("{base}.rs"), format!("{base}/mod.rs")]
                .into_iter()
                .find(|candidate| files.contains(candidate))
        })
    };
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
            .collect();
        let (base, group) = match path.split_once('{') {
            Some((base, _)) => {
                let close = rest.find('}').unwrap_or(rest.len());
                let inner = &rest[base.len() + 1..close];
                (
                    base.trim_end_matches(':').to_string(),
                    Some(inner.to_string()),
                )
            }
            None => (path.trim_end_matches(':').to_string(), None),
        };
        let base: Vec<&str> = base.split("::").filter(|p| !p.is_empty()).collect();
        let mut targets = Vec::new();
        match group {
            Some(inner) => {
                for item in inner.split(',') {
                    let mut parts = base.clone();
                    parts.extend(
                        item.trim()
                            .split("::")
                            .filter(|p| !p.is_empty() && *p != "self"),
                    );
                    targets.push(resolve(&parts));
                }
            }
            None => targets.push(resolve(&base)),
        }
        found.extend(targets.into_iter().flatten().filter(|t| t != file));
    }
    found
}

#[test]
fn layers_import_only_downwards_and_files_form_no_cycle() {
    let sources = sources();
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    let mut wrong = Vec::new();
    for (file, code) in &sources {
        if file == "lib.rs" {
            continue;
        }
        let (layer, rank) = layer_of(file)
            .unwrap_or_else(|| panic!("src/{file} is in no layer: put it in one of {LAYERS:?}"));
        let used = imports(file, code, &files);
        for target in &used {
            let (other, other_rank) = layer_of(target).expect("a layer");
            if other != layer && other_rank >= rank {
                wrong.push(format!("src/{file} ({layer}) uses src/{target} ({other})"));
            }
        }
        graph.insert(file.clone(), used);
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "import cycles: {cycles:?}");
}

/// Strongly connected components of more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

/// The cycle check itself finds a cycle, and the layer check an upward import.
#[test]
fn the_structure_checks_see_what_they_look_for() {
    let files: BTreeSet<String> = ["model/a.rs", "model/b.rs", "vault/c.rs"]
        .map(String::from)
        .into();
    let a = imports("model/a.rs", "use crate::model::b::{X, y};", &files);
    assert_eq!(a, BTreeSet::from(["model/b.rs".to_string()]));
    let b = imports(
        "model/b.rs",
        "fn f() { crate::model::a::g(); crate::vault::c::h() }",
        &files,
    );
    assert!(b.contains("model/a.rs") && b.contains("vault/c.rs"));
    let graph = BTreeMap::from([("model/a.rs".to_string(), a), ("model/b.rs".to_string(), b)]);
    assert_eq!(cycles(&graph).len(), 1);
    assert!(uses_crate("use rsa::pkcs8::DecodePublicKey;", "rsa::"));
    assert!(!uses_crate("crate::crypto::rsa::bits(der)", "rsa::"));
}

/// Whether `code` names the external crate `krate` (a path that starts with it, not
/// one of Tessera's modules of the same name such as `crypto::rsa`).
fn uses_crate(code: &str, krate: &str) -> bool {
    code.match_indices(krate).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c == ':' || c == '_' || c.is_alphanumeric())
    })
}

#[test]
fn sqlite_rsa_the_clipboard_and_jwt_each_have_one_place() {
    let mut wrong = Vec::new();
    for (file, code) in sources() {
        for (krate, _) in CONFINED {
            let places: Vec<&str> = CONFINED
                .iter()
                .filter(|(k, _)| k == krate)
                .map(|(_, place)| *place)
                .collect();
            if uses_crate(&code, krate) && !places.iter().any(|place| file.starts_with(place)) {
                wrong.push(format!(
                    "src/{file} uses {krate} (only {} may)",
                    places.join(", ")
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_core_knows_nothing_of_tauri_and_its_modules_are_private() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    assert!(!manifest.contains("tauri"), "the core depends on Tauri");
    let sources = sources();
    for (file, code) in &sources {
        assert!(!code.contains("tauri"), "src/{file} names Tauri");
    }
    // lib.rs is the facade: layer modules are private, public paths are re-exports.
    for line in sources["lib.rs"].lines() {
        if let Some(name) = line.trim().strip_prefix("mod ") {
            let name = name.trim_end_matches(';');
            assert!(
                layer_of(name).is_some(),
                "lib.rs declares {name}, which is no layer"
            );
        }
        assert!(
            !line.trim_start().starts_with("pub mod ")
                || line.contains("pub mod search")
                || line.contains("pub mod generate")
                || line.contains("pub mod imports")
                || line.contains("pub mod shared"),
            "lib.rs makes a layer public: {line}"
        );
    }
}

#[test]
fn the_code_map_names_every_file_of_the_core_and_no_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let files: BTreeSet<String> = sources().into_keys().collect();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !map.contains(&format!("src/{f}")))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map misses {missing:?}"
    );
    // Every core source it names exists.
    let named: Vec<&str> = map
        .split(|c: char| c.is_whitespace() || c == '`' || c == ',' || c == '(' || c == ')')
        .filter_map(|word| word.strip_prefix("src/"))
        .filter(|path| layer_of(path).is_some() && path.ends_with(".rs"))
        .collect();
    let stale: Vec<&&str> = named.iter().filter(|p| !files.contains(**p)).collect();
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md names files that are gone: {stale:?}"
    );
}
