use crate::util::{TestVault, request};
use tessera_core::clock::DAY;
use tessera_core::search::{Query, Sort};
use tessera_core::token::{Expiry, Status, TokenKind};

fn names(page: &tessera_core::search::Page) -> Vec<&str> {
    page.rows.iter().map(|h| h.token.name.as_str()).collect()
}

#[test]
fn search_ranks_highlights_filters_and_pages() {
    let mut t = TestVault::new();
    for name in [
        "prod deploy",
        "staging deploy",
        "github ci",
        "billing reader",
        "docs bot",
    ] {
        t.make(TokenKind::Personal, name);
    }
    t.make(TokenKind::Jwt, "deploy jwt");
    let mut req = request(TokenKind::Personal, "expiring deploy");
    req.expires = Expiry::parse("3d", t.vault.now()).expect("3d");
    t.vault.create_token(req).expect("create");
    t.vault.revoke_token("staging deploy").expect("revoke");

    let page = t.vault.search(&Query::text("depl")).expect("search");
    assert_eq!(page.total, 4);
    let top = &page.rows[0];
    assert!(top.token.name.contains("deploy"));
    let chars: Vec<char> = top.token.name.chars().collect();
    let highlighted: String = top.positions.iter().map(|&i| chars[i as usize]).collect();
    assert_eq!(highlighted, "depl");

    let jwt_only = t
        .vault
        .search(&Query {
            kind: Some(TokenKind::Jwt),
            ..Query::text("depl")
        })
        .expect("kind");
    assert_eq!(names(&jwt_only), ["deploy jwt"]);
    let revoked = t
        .vault
        .search(&Query {
            status: Some(Status::Revoked),
            ..Query::text("")
        })
        .expect("status");
    assert_eq!(names(&revoked), ["staging deploy"]);
    let expiring = t
        .vault
        .search(&Query {
            status: Some(Status::ExpiringSoon),
            ..Query::text("")
        })
        .expect("status");
    assert_eq!(names(&expiring), ["expiring deploy"]);
    let active = t
        .vault
        .search(&Query {
            status: Some(Status::Active),
            ..Query::text("deploy")
        })
        .expect("status");
    assert_eq!(
        active.total, 3,
        "active includes expiring soon, not revoked"
    );

    let all = t.vault.search(&Query::text("")).expect("list");
    assert_eq!(all.total, 7);
    assert_eq!(names(&all)[0], "billing reader");
    let second = t
        .vault
        .search(&Query {
            offset: 2,
            limit: 2,
            ..Query::text("")
        })
        .expect("page");
    assert_eq!(second.total, 7);
    assert_eq!(names(&second), names(&all)[2..4]);
    let by_expiry = t
        .vault
        .search(&Query {
            sort: Sort::Expires,
            ..Query::text("")
        })
        .expect("sort");
    assert_eq!(names(&by_expiry)[0], "expiring deploy");

    // The index follows writes.
    t.make(TokenKind::Personal, "deploy later");
    assert_eq!(
        t.vault.search(&Query::text("depl")).expect("search").total,
        5
    );
    t.clock.advance(4 * DAY);
    let expired = t
        .vault
        .search(&Query {
            status: Some(Status::Expired),
            ..Query::text("dep")
        })
        .expect("s");
    assert_eq!(names(&expired), ["expiring deploy"]);
}

#[test]
fn kind_counts_and_unfiltered_pages_agree_with_the_tokens() {
    let mut t = TestVault::new();
    assert!(
        t.vault
            .kind_counts()
            .expect("counts")
            .iter()
            .all(|&(_, n)| n == 0)
    );
    for i in 0..5 {
        t.make(TokenKind::Personal, &format!("personal {i}"));
    }
    t.make(TokenKind::Jwt, "a jwt");
    t.make(TokenKind::Jwt, "b jwt");
    let counts = t.vault.kind_counts().expect("counts");
    assert_eq!(counts.len(), TokenKind::ALL.len());
    for (kind, count) in counts {
        let expected = match kind {
            TokenKind::Personal => 5,
            TokenKind::Jwt => 2,
            _ => 0,
        };
        assert_eq!(count, expected, "{kind:?}");
        let page = t
            .vault
            .search(&Query {
                kind: Some(kind),
                limit: 3,
                ..Query::text("")
            })
            .expect("kind page");
        assert_eq!(page.total, expected);
        assert!(page.rows.iter().all(|h| h.token.kind == kind));
    }
    let all = t
        .vault
        .search(&Query {
            offset: 2,
            limit: 3,
            ..Query::text("")
        })
        .expect("page");
    assert_eq!(all.total, 7);
    assert_eq!(names(&all), ["personal 0", "personal 1", "personal 2"]);
}

/// A window that keeps the vault open learns of another process's change, and only of
/// that: its own writes and reads leave the number as it was.
#[test]
fn outside_changes_move_only_for_another_connections_commit() {
    let mut t = TestVault::new();
    let start = t.vault.outside_changes().expect("data version");
    t.make(TokenKind::Personal, "own token");
    t.vault.flush_usage().expect("flush");
    t.vault.kind_counts().expect("counts");
    assert_eq!(t.vault.outside_changes().expect("data version"), start);

    let mut other = tessera_core::Vault::open(&t.paths, &t.keys, None).expect("second handle");
    assert_eq!(t.vault.outside_changes().expect("data version"), start);
    other
        .create_token(request(TokenKind::Jwt, "from the cli"))
        .expect("create elsewhere");
    let moved = t.vault.outside_changes().expect("data version");
    assert_ne!(moved, start);
    let counts = t.vault.kind_counts().expect("counts");
    assert!(counts.contains(&(TokenKind::Jwt, 1)), "{counts:?}");

    other
        .revoke_token("from the cli")
        .expect("revoke elsewhere");
    assert_ne!(t.vault.outside_changes().expect("data version"), moved);
}

#[test]
fn the_index_orders_like_the_list_and_finds_names_beyond_ascii() {
    let mut t = TestVault::new();
    for name in [
        "beta",
        "Alpha",
        "Äpfel key",
        "alpha2",
        "Zeta",
        "_under",
        "日本 deploy",
        "café prod",
    ] {
        t.make(TokenKind::Personal, name);
    }
    // The plain list is SQL's NOCASE order; a status filter goes through the index.
    let listed = t.vault.search(&Query::text("")).expect("list");
    let indexed = t
        .vault
        .search(&Query {
            status: Some(Status::Active),
            sort: Sort::Name,
            ..Query::text("")
        })
        .expect("index");
    assert_eq!(names(&indexed), names(&listed));
    assert_eq!(names(&listed)[..3], ["_under", "Alpha", "alpha2"]);

    let cafe = t.vault.search(&Query::text("cafe")).expect("search");
    assert_eq!(names(&cafe), ["café prod"]);
    assert_eq!(cafe.rows[0].positions, [0, 1, 2, 3]);
    let japanese = t.vault.search(&Query::text("本 dep")).expect("search");
    assert_eq!(names(&japanese), ["日本 deploy"]);
    assert_eq!(japanese.rows[0].positions, [1, 3, 4, 5]);
}

/// On a real vault file: tokens expiring inside the window and tokens due for
/// replacement are listed, soonest first; later, never-expiring, revoked and expired
/// ones are not, however many come before them.
#[test]
fn needing_attention_lists_what_expires_within_the_window_or_is_due_soonest_first() {
    use tessera_core::attention::LISTED;
    let mut t = TestVault::new();
    let now = t.vault.now();
    let make = |t: &mut TestVault, name: &str, expires: Expiry, rotation_days: Option<i64>| {
        let mut req = request(TokenKind::Personal, name);
        req.expires = expires;
        req.rotation_days = rotation_days;
        t.vault.create_token(req).expect("create");
    };
    // More than LISTED tokens expiring inside the window.
    for i in 0..120 {
        make(
            &mut t,
            &format!("soon {i:03}"),
            Expiry::At(now + 13 * DAY + i),
            None,
        );
    }
    make(&mut t, "later", Expiry::At(now + 60 * DAY), None);
    make(&mut t, "never", Expiry::Never, None);
    make(&mut t, "due", Expiry::Never, Some(10));
    make(&mut t, "revoked soon", Expiry::At(now + 12 * DAY), None);
    make(&mut t, "expired", Expiry::At(now + 60), None);
    t.vault.revoke_token("revoked soon").expect("revoke");
    // 11 days on: "due" needs replacing, "soon …" expire in 2 days, "later" in 49.
    t.clock.advance(11 * DAY);

    let listed = t.vault.needing_attention(30).expect("attention");
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), LISTED);
    assert!(!names.contains(&"revoked soon") && !names.contains(&"expired"));
    // 120 expire inside the window: the soonest 100 are listed.
    assert_eq!(names.first(), Some(&"soon 000"));
    assert_eq!(names.last(), Some(&"soon 099"));

    let listed = t.vault.needing_attention(0).expect("attention");
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["due"]);
}
