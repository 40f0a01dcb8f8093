//! The vault's search: the index built from the store and kept until the vault
//! changes (see `index`), and the one-page SQL listing that needs no index.

use crate::index::SearchIndex;
use crate::model::error::Result;
use crate::model::query::{Hit, Page, Query, Sort};
use crate::model::token::TokenKind;
use crate::store;
use crate::vault::Vault;

impl Vault {
    /// Builds the search index now if it is missing or stale, so that the next text
    /// search does not pay for reading every name (about 0.1 s at 100,000 tokens). The
    /// app calls it once the list is on screen and after each change.
    pub fn prepare_search(&mut self) -> Result<()> {
        self.flush_usage()?;
        let version = self.outside_changes()?;
        let fresh = matches!(&self.search.index, Some((v, _)) if *v == version);
        if !fresh {
            let (names, rows) = store::index_rows(&self.conn)?;
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
        let mut matched = index.matches(&query.text, query.kind, query.status, now);
        index.sort(&mut matched, query.sort, has_text);
        let window: Vec<u32> = matched
            .iter()
            .skip(query.offset)
            .take(limit)
            .copied()
            .collect();
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
        Ok(Page {
            total: matched.len(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_deleted_behind_the_index_moves_no_highlight() {
        use crate::crypto::keys::MemoryKeyStore;
        use crate::model::token::TokenKind;
        use crate::vault::lifecycle::NewToken;
        let dir = tempfile::tempdir().expect("tempdir");
        let paths =
            crate::VaultPaths::in_dir(dir.path().join("v")).with_state(dir.path().join("s"));
        let keys = MemoryKeyStore::new();
        let mut vault =
            Vault::create(&paths, crate::NewProtection::Keyring, &keys).expect("create");
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
}
