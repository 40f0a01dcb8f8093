//! `tessera import --from FORMAT` as a person runs it: the report adds up to the file,
//! `--dry-run` writes nothing, a second import with `--on-conflict skip` adds nothing,
//! and a file's password comes from stdin before the master password.

use serde_json::Value;

#[path = "../../tessera-core/tests/files.rs"]
mod files;
use files::data_files;

#[path = "common/home.rs"]
mod home;
use home::Home;

const DOTENV: &str = "# the deploy's secrets\n\
    export STRIPE_KEY=sk_live_51Hx$abc\n\
    SINGLE='a $b \"c\" # d'\n\
    MULTI=\"first\nsecond\"\n\
    EMPTY=\n\
    this is not an assignment\n";

#[test]
fn a_dotenv_file_imports_exactly_and_a_second_import_adds_nothing() {
    let home = Home::new();
    let file = home.dir.path().join("deploy.env");
    std::fs::write(&file, DOTENV).expect("write");
    let path = file.to_str().expect("path");
    let before = data_files(&home.vault_dir());
    let dry = home.json(&["import", "--from", "dotenv", path, "--dry-run", "--json"]);
    assert!(
        data_files(&home.vault_dir()) == before,
        "a dry run writes nothing"
    );
    let report = home.json(&["import", "--from", "dotenv", path, "--json"]);
    assert_eq!(dry["tokens"], report["tokens"]);
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(report["imported"], 3, "{report}");
    assert_eq!(skipped.len(), 2, "{report}");
    assert_eq!(
        home.ok(&["get", "STRIPE_KEY"], None).trim_end(),
        "sk_live_51Hx$abc"
    );
    assert_eq!(
        home.ok(&["get", "SINGLE"], None).trim_end(),
        "a $b \"c\" # d"
    );
    assert_eq!(home.ok(&["get", "MULTI"], None).trim_end(), "first\nsecond");
    let again = home.json(&[
        "import",
        "--from",
        "dotenv",
        path,
        "--json",
        "--on-conflict",
        "skip",
    ]);
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["skipped"].as_array().expect("skipped").len(), 5);
    let list: Value = home.json(&["list", "--json"]);
    assert_eq!(list["total"], 3);
}

#[test]
fn an_unknown_format_or_a_missing_file_is_a_clear_error() {
    let home = Home::new();
    home.fails(
        &["import", "--from", "lastpass", "x.csv"],
        None,
        "is not an import format",
    );
    home.fails(
        &["import", "--from", "dotenv", "/nonexistent/x.env"],
        None,
        "cannot read",
    );
    let file = home.dir.path().join("export.json");
    std::fs::write(&file, "{\"encrypted\": true, \"passwordProtected\": true}").expect("write");
    home.fails(
        &[
            "import",
            "--from",
            "bitwarden",
            file.to_str().expect("path"),
        ],
        None,
        "password-protected: give its password",
    );
}
