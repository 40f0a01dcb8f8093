use crate::util::environment;
use std::process::Command;
use std::time::{Duration, Instant};
use tessera_core::Secret;
use tessera_core::clipboard::{ClearOutcome, Keeper};

fn read() -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(want: impl Fn(&str) -> bool, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if want(&read()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The app's clipboard duty, on a real X clipboard read back with xclip: a copy is
/// cleared at its deadline, an older copy's deadline never clears a newer secret, and
/// Lock clears at once.
#[test]
fn a_keeper_clears_its_copy_at_the_deadline_and_never_a_newer_one() {
    if !environment(
        "TESSERA_TEST_CLIPBOARD",
        "with a DISPLAY and xclip (make test does)",
    ) {
        return;
    }
    let keeper = Keeper::new();
    let first_at = Instant::now();
    keeper
        .copy(
            Secret::new("first-secret-value".into()),
            Duration::from_secs(2),
        )
        .expect("copy");
    assert!(wait_for(
        |t| t == "first-secret-value",
        Duration::from_millis(1_500)
    ));
    keeper
        .copy(
            Secret::new("second-secret-value".into()),
            Duration::from_secs(5),
        )
        .expect("copy");
    assert!(wait_for(
        |t| t == "second-secret-value",
        Duration::from_secs(2)
    ));
    // Past the first copy's deadline: the second secret stays.
    std::thread::sleep(
        (first_at + Duration::from_millis(2_500)).saturating_duration_since(Instant::now()),
    );
    assert_eq!(read(), "second-secret-value");
    assert!(
        wait_for(|t| t != "second-secret-value", Duration::from_secs(6)),
        "the second copy was not cleared at its deadline"
    );

    keeper
        .copy(Secret::new("kept-until-lock".into()), Duration::ZERO)
        .expect("copy");
    assert!(wait_for(|t| t == "kept-until-lock", Duration::from_secs(2)));
    assert_eq!(keeper.clear_now(), Some(ClearOutcome::Cleared));
    assert!(wait_for(|t| t != "kept-until-lock", Duration::from_secs(2)));
    assert_eq!(keeper.clear_now(), None, "nothing left to clear");
}

/// The gate itself: the clipboard test, run again as its own process without its
/// environment, passes quietly on a developer's machine and fails under `CI=true`.
#[test]
fn a_gated_test_fails_under_ci_when_its_environment_is_missing() {
    let run = |ci: &str| {
        std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "clipboard::a_keeper_clears_its_copy_at_the_deadline_and_never_a_newer_one",
            ])
            .env_remove("TESSERA_TEST_CLIPBOARD")
            .env("CI", ci)
            .output()
            .expect("run the test binary")
    };
    let local = run("");
    assert!(
        local.status.success(),
        "without CI the gate lets the test pass as not run"
    );
    let ci = run("true");
    assert!(
        !ci.status.success(),
        "under CI a missing environment must fail"
    );
    let said = String::from_utf8_lossy(&ci.stdout);
    assert!(
        said.contains("not run: set TESSERA_TEST_CLIPBOARD=1"),
        "{said}"
    );
}
