//! The vault's search: the index built from the store and kept until the vault
//! changes (see `index`), and the one-page SQL listing that needs no index.

use crate::index::SearchIndex;
use crate::model::error::Result;
use crate::model::query::{Hit, Page, Query, Sort};
use crate::model::token::TokenKind;
use crate::store;
use crate::vault::Vault;

impl Vault {
    /// Loads the search index now if it is missing or stale, so that the next text
    /// search does not pay for it (about 15 ms at 100,000 tokens, from the index kept
    /// in the vault). The app calls it once the list is on screen and after each change.
    pub fn prepare_search(&mut self) -> Result<()> {
        self.flush_usage()?;
        let version = self.outside_changes()?;
        let fresh = matches!(&self.search.index, Some((v, _)) if *v == version);
        if !fresh {
            let (names, rows) = store::name_chunks::load(&self.conn)?;
            let index = SearchIndex::new(names, rows);
            self.search.index = Some((version, index));
        }
        Ok(())
    }

    /// Tokens per kind, every kind listed (zero where there are none): one pass over the
    /// (kind, name) index.
    pub fn kind_counts(&self) -> Result<Vec<(TokenKind, usize)>> {
        let counted = store::kind_counts(&self.conn)?;
        Ok(TokenKind::ALL
            .iter()
            .map(|&kind| {
                let count = counted
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(0, |(_, n)| *n);
                (kind, count)
            })
            .collect())
    }

    /// Searches or lists tokens. Rows carry metadata only, never a secret.
    pub fn search(&mut self, query: &Query) -> Result<Page> {
        let now = self.now();
        let limit = query.limit.clamp(1, 1_000);
        let has_text = !query.text.trim().is_empty();
        if !has_text && query.status.is_none() && matches!(query.sort, Sort::Relevance | Sort::Name)
        {
            let (total, tokens) = store::tokens_page(&self.conn, query.kind, query.offset, limit)?;
            let rows = tokens
                .into_iter()
                .map(|token| Hit {
                    token,
                    positions: Vec::new(),
                })
                .collect();
            return Ok(Page { total, rows });
        }
        self.prepare_search()?;
        let Some((_, index)) = self.search.index.as_mut() else {
            return Ok(Page {
                total: 0,
                rows: Vec::new(),
            });
        };
        if query.sort == Sort::LastUsed && !index.knows_last_uses() {
            index.set_last_uses(store::last_uses(&self.conn)?);
        }
        let (total, window) = index.window(
            &query.text,
            query.kind,
            query.status,
            now,
            query.sort,
            query.offset,
            limit,
        );
        let ids: Vec<String> = window
            .iter()
            .map(|&i| index.rows[i as usize].id.to_string())
            .collect();
        let tokens = store::tokens_by_ids(&self.conn, &ids)?;
        // Each row keeps its own highlight: a vanished token leaves a gap, not a shift.
        let rows = tokens
            .into_iter()
            .zip(window.iter())
            .filter_map(|(token, &i)| {
                Some(Hit {
                    positions: index.positions(&query.text, i),
                    token: token?,
                })
            })
            .collect();
        Ok(Page { total, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::MemoryKeyStore;
    use crate::vault::lifecycle::{NewToken, TokenChanges};

    /// An empty keyring vault in a temporary folder (kept while the folder lives).
    fn new_vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths =
            crate::VaultPaths::in_dir(dir.path().join("v")).with_state(dir.path().join("s"));
        let vault = Vault::create(
            &paths,
            crate::NewProtection::Keyring,
            &MemoryKeyStore::new(),
        )
        .expect("create");
        (dir, vault)
    }

    #[test]
    fn a_token_deleted_behind_the_index_moves_no_highlight() {
        let (_dir, mut vault) = new_vault();
        for name in ["alpha", "x alpha", "xx alpha", "xxx alpha"] {
            vault
                .create_token(NewToken::new(TokenKind::Personal, name))
                .expect("create");
        }
        let query = Query::text("alpha");
        assert_eq!(vault.search(&query).expect("search").rows.len(), 4);
        // As another process's delete between the index and the read would leave it:
        // the index still names the token.
        vault
            .conn
            .execute("DELETE FROM tokens WHERE name = 'x alpha'", [])
            .expect("delete");
        let page = vault.search(&query).expect("search");
        assert_eq!(page.rows.len(), 3);
        for hit in &page.rows {
            let chars: Vec<char> = hit.token.name.chars().collect();
            let marked: String = hit.positions.iter().map(|&p| chars[p as usize]).collect();
            assert_eq!(marked, "alpha", "{}: {:?}", hit.token.name, hit.positions);
        }
    }

    fn chunk_sizes(vault: &Vault) -> Vec<usize> {
        let mut stmt = vault
            .conn
            .prepare("SELECT data FROM name_chunks ORDER BY first")
            .expect("stmt");
        stmt.query_map([], |row| row.get::<_, Vec<u8>>(0))
            .expect("query")
            .map(|data| {
                crate::index::packed::decode(&data.expect("row"))
                    .expect("decode")
                    .len()
            })
            .collect()
    }

    /// The stored index matches the tokens after every kind of change, as chunks fill,
    /// split and empty.
    #[test]
    fn the_stored_index_follows_every_change() {
        let (_dir, mut vault) = new_vault();
        vault.check_integrity().expect("empty");
        assert_eq!(chunk_sizes(&vault), [0]);
        // One at a time, in an order that fills one chunk past its size.
        for i in 0..40 {
            let name = format!("svc-{:04}", (i * 17) % 40);
            vault
                .create_token(NewToken::new(TokenKind::Personal, name))
                .expect("create");
        }
        vault.check_integrity().expect("after single creates");
        let sizes = chunk_sizes(&vault);
        assert!(
            sizes.len() >= 2 && sizes.iter().all(|&n| n <= crate::store::name_chunks::MAX),
            "{sizes:?}"
        );
        // A batch under the rebuild threshold, into one chunk: split in several.
        let batch = (0..30)
            .map(|i| NewToken::new(TokenKind::Jwt, format!("svc-0007 {i:02}")))
            .collect();
        vault.create_tokens(batch).expect("batch");
        vault.check_integrity().expect("after a batch");
        // A name the matcher reads differently (a combining mark) through a rebuild.
        vault
            .create_token(NewToken::new(TokenKind::Personal, "svc-0005 cafe\u{301}"))
            .expect("create");
        // A bulk create over the rebuild threshold.
        let batch = (0..200)
            .map(|i| NewToken::new(TokenKind::Jwt, format!("bulk {i:05}")))
            .collect();
        let issued = vault.create_tokens(batch).expect("bulk");
        let last = issued
            .last()
            .and_then(|i| i.secret.as_ref())
            .expect("secret");
        vault.check_integrity().expect("after a rebuild");
        // Renames: across chunks, and in case only.
        vault
            .modify_token(
                "svc-0001",
                TokenChanges {
                    name: Some("zz moved".into()),
                    ..TokenChanges::default()
                },
            )
            .expect("rename");
        vault
            .modify_token(
                "svc-0002",
                TokenChanges {
                    name: Some("SVC-0002".into()),
                    rotation_days: Some(Some(30)),
                    ..TokenChanges::default()
                },
            )
            .expect("rename in case");
        // A name the matcher reads differently (a combining mark), kept exactly.
        vault
            .modify_token(
                "svc-0005 cafe\u{301}",
                TokenChanges {
                    name: Some("svc-0005 grüße\u{301}".into()),
                    ..TokenChanges::default()
                },
            )
            .expect("rename");
        vault.revoke_token("svc-0003").expect("revoke");
        vault.rotate_token("svc-0004", None).expect("rotate");
        vault.revoke_token("bulk 00001").expect("revoke");
        vault.delete_token("bulk 00001").expect("delete");
        vault.check_integrity().expect("after edits");
        let page = vault.search(&Query::text("SVC-0002")).expect("search");
        assert_eq!(page.rows[0].token.name, "SVC-0002");
        // Empty a chunk: the first chunk's names all go.
        for i in 0..40 {
            let name = format!("svc-{i:04}");
            if vault.revoke_token(&name).is_ok() {
                vault.delete_token(&name).expect("delete");
            }
        }
        vault.check_integrity().expect("after deletes");
        let sizes = chunk_sizes(&vault);
        assert!(sizes[1..].iter().all(|&n| n > 0), "{sizes:?}");
        let page = vault.search(&Query::text("moved")).expect("search");
        assert_eq!(page.rows[0].token.name, "zz moved");
        // The stored index has no last use; the sort by it reads them.
        vault.verify(last.expose(), None, None).expect("verify");
        vault.flush_usage().expect("flush");
        let page = vault
            .search(&Query {
                sort: Sort::LastUsed,
                ..Query::text("bulk")
            })
            .expect("search");
        assert_eq!(page.rows[0].token.name, "bulk 00199");
    }

    /// The attack SECURITY.md names: a chunk of the index put back as an older copy held
    /// it (sound bytes, older names). Search still lists rows read from `tokens`, and
    /// `check` reports the difference.
    #[test]
    fn an_older_chunk_put_back_is_found_by_check_and_lists_only_real_rows() {
        let (_dir, mut vault) = new_vault();
        vault
            .create_token(NewToken::new(TokenKind::Personal, "old name"))
            .expect("create");
        let older: Vec<u8> = vault
            .conn
            .query_row("SELECT data FROM name_chunks", [], |row| row.get(0))
            .expect("chunk");
        vault
            .modify_token(
                "old name",
                TokenChanges {
                    name: Some("new name".into()),
                    ..TokenChanges::default()
                },
            )
            .expect("rename");
        vault.check_integrity().expect("sound before the attack");
        vault
            .conn
            .execute("UPDATE name_chunks SET data = ?1", [&older])
            .expect("put the older chunk back");
        let err = vault.check_integrity().expect_err("an older chunk");
        assert!(
            err.to_string().contains("search index does not match"),
            "{err}"
        );
        for hit in vault.search(&Query::text("name")).expect("search").rows {
            assert_eq!(
                hit.token.name, "new name",
                "a row comes from tokens, never the index"
            );
        }
    }

    /// A chunk that does not read back (damaged, or written by another format) leaves
    /// search working and is written anew by the next change; `check` reports it.
    #[test]
    fn a_chunk_that_does_not_read_back_is_rebuilt() {
        let (_dir, mut vault) = new_vault();
        for name in ["alpha", "beta"] {
            vault
                .create_token(NewToken::new(TokenKind::Personal, name))
                .expect("create");
        }
        vault
            .conn
            .execute("UPDATE name_chunks SET data = x'01ff'", [])
            .expect("damage");
        assert!(vault.check_integrity().is_err());
        assert_eq!(
            vault
                .search(&Query::text("alp"))
                .expect("search")
                .rows
                .len(),
            1
        );
        vault
            .create_token(NewToken::new(TokenKind::Personal, "gamma"))
            .expect("create");
        vault.check_integrity().expect("rebuilt");
    }
}
