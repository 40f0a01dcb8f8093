//! The search index as stored: a run of index entries (name and status facts, in name
//! order) packed into one byte string, so that a whole chunk of the index is one read
//! (see `store::name_chunks`). Names are front-coded (each keeps the bytes it shares
//! with the previous name as a count), numbers are varints: about 45 bytes a token for
//! names of 25 bytes.
//!
//! Layout: a format byte, the entry count, then per entry: shared prefix length,
//! suffix length, suffix bytes, the 16 id bytes, a flags byte (kind in the low three
//! bits, then revoked, has expiry, has security period, rotated apart from creation),
//! created_at, then expires_at, rotation_days and rotated_at when their flag is set.
//! The last use is not stored: it changes on every use (the index reads it from the
//! tokens when the list is sorted by it).

use crate::index::IndexRow;
use crate::index::names::Names;
use crate::model::error::{Error, Result};
use crate::model::token::TokenKind;
use std::cmp::Ordering;

/// The format byte; a chunk in any other format is rebuilt from the tokens.
pub(crate) const FORMAT: u8 = 1;

const REVOKED: u8 = 1 << 3;
const EXPIRES: u8 = 1 << 4;
const ROTATION: u8 = 1 << 5;
const ROTATED: u8 = 1 << 6;

/// One token as the index keeps it.
#[derive(Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub row: IndexRow,
}

/// SQLite's NOCASE order, the order of the `tokens` name index: ASCII letters folded,
/// then bytes.
pub(crate) fn name_order(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn kind_code(kind: TokenKind) -> u8 {
    match kind {
        TokenKind::Workspace => 0,
        TokenKind::Personal => 1,
        TokenKind::Service => 2,
        TokenKind::Rsa => 3,
        TokenKind::Jwt => 4,
        TokenKind::External => 5,
    }
}

fn kind_of(code: u8) -> Option<TokenKind> {
    Some(match code {
        0 => TokenKind::Workspace,
        1 => TokenKind::Personal,
        2 => TokenKind::Service,
        3 => TokenKind::Rsa,
        4 => TokenKind::Jwt,
        5 => TokenKind::External,
        _ => return None,
    })
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_varint(out, ((value << 1) ^ (value >> 63)) as u64);
}

/// Packs `entries` (in name order) as one chunk.
pub(crate) fn encode<'a>(
    entries: impl ExactSizeIterator<Item = (&'a str, &'a IndexRow)>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 48 + 8);
    out.push(FORMAT);
    put_varint(&mut out, entries.len() as u64);
    let mut previous: &str = "";
    for (name, row) in entries {
        let shared = previous
            .bytes()
            .zip(name.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        // Cut at a character boundary, so that every suffix is whole UTF-8.
        let shared = (0..=shared)
            .rev()
            .find(|&at| name.is_char_boundary(at))
            .unwrap_or(0);
        put_varint(&mut out, shared as u64);
        put_varint(&mut out, (name.len() - shared) as u64);
        out.extend_from_slice(&name.as_bytes()[shared..]);
        out.extend_from_slice(row.id.as_bytes());
        let lifetime = row.lifetime();
        let mut flags = kind_code(row.kind);
        flags |= if row.revoked { REVOKED } else { 0 };
        flags |= if lifetime.expires_at.is_some() {
            EXPIRES
        } else {
            0
        };
        flags |= if lifetime.rotation_days.is_some() {
            ROTATION
        } else {
            0
        };
        flags |= if row.rotated_at != row.created_at {
            ROTATED
        } else {
            0
        };
        out.push(flags);
        put_signed(&mut out, row.created_at);
        if let Some(at) = lifetime.expires_at {
            put_signed(&mut out, at);
        }
        if row.rotation_days != 0 {
            put_varint(&mut out, u64::from(row.rotation_days));
        }
        if row.rotated_at != row.created_at {
            put_signed(&mut out, row.rotated_at);
        }
        previous = name;
    }
    out
}

/// Reads a chunk written by [`encode`].
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

fn damaged() -> Error {
    Error::Damaged(
        "a chunk of the search index does not read back; `tessera check` finds the cause".into(),
    )
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let byte = *self.data.get(self.at).ok_or_else(damaged)?;
        self.at += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(damaged())
    }

    fn signed(&mut self) -> Result<i64> {
        let raw = self.varint()?;
        Ok((raw >> 1) as i64 ^ -((raw & 1) as i64))
    }

    fn bytes(&mut self, len: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(len).ok_or_else(damaged)?;
        let out = self.data.get(self.at..end).ok_or_else(damaged)?;
        self.at = end;
        Ok(out)
    }
}

/// Unpacks a chunk, calling `each` with every entry's name and facts in order.
fn decode_with(data: &[u8], mut each: impl FnMut(&str, IndexRow) -> Result<()>) -> Result<()> {
    let mut reader = Reader { data, at: 0 };
    if reader.byte()? != FORMAT {
        return Err(damaged());
    }
    let count = reader.varint()?;
    let mut name = String::new();
    for _ in 0..count {
        let shared = usize::try_from(reader.varint()?).map_err(|_| damaged())?;
        let len = usize::try_from(reader.varint()?).map_err(|_| damaged())?;
        if shared > name.len() || !name.is_char_boundary(shared) {
            return Err(damaged());
        }
        name.truncate(shared);
        name.push_str(std::str::from_utf8(reader.bytes(len)?).map_err(|_| damaged())?);
        let id = uuid::Uuid::from_slice(reader.bytes(16)?).map_err(|_| damaged())?;
        let flags = reader.byte()?;
        let kind = kind_of(flags & 0b111).ok_or_else(damaged)?;
        let created_at = reader.signed()?;
        let expires_at = if flags & EXPIRES != 0 {
            Some(reader.signed()?)
        } else {
            None
        };
        let rotation_days = if flags & ROTATION != 0 {
            Some(i64::try_from(reader.varint()?).map_err(|_| damaged())?)
        } else {
            None
        };
        let rotated_at = if flags & ROTATED != 0 {
            reader.signed()?
        } else {
            created_at
        };
        let lifetime = crate::model::token::Lifetime {
            revoked: flags & REVOKED != 0,
            expires_at,
            rotation_days,
            rotated_at,
        };
        each(&name, IndexRow::new(id, kind, lifetime, created_at, None))?;
    }
    if reader.at != data.len() {
        return Err(damaged());
    }
    Ok(())
}

/// Unpacks a chunk onto the end of the index being loaded.
pub(crate) fn decode_into(data: &[u8], names: &mut Names, rows: &mut Vec<IndexRow>) -> Result<()> {
    decode_with(data, |name, row| {
        names.push(name)?;
        rows.push(row);
        Ok(())
    })
}

/// Unpacks a chunk as entries, to change it.
pub(crate) fn decode(data: &[u8]) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    decode_with(data, |name, row| {
        entries.push(Entry {
            name: name.to_string(),
            row,
        });
        Ok(())
    })?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::token::Lifetime;

    fn entry(name: &str, kind: TokenKind, lifetime: Lifetime, created_at: i64) -> Entry {
        let id = uuid::Uuid::from_u128(rand::random());
        Entry {
            name: name.to_string(),
            row: IndexRow::new(id, kind, lifetime, created_at, None),
        }
    }

    fn pack(entries: &[Entry]) -> Vec<u8> {
        encode(entries.iter().map(|e| (e.name.as_str(), &e.row)))
    }

    fn same(a: &[Entry], b: &[Entry]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.row.id, y.row.id);
            assert_eq!(x.row.kind, y.row.kind);
            assert_eq!(x.row.created_at, y.row.created_at);
            let (l, m) = (x.row.lifetime(), y.row.lifetime());
            assert_eq!(
                (l.revoked, l.expires_at, l.rotation_days, l.rotated_at),
                (m.revoked, m.expires_at, m.rotation_days, m.rotated_at)
            );
        }
    }

    #[test]
    fn entries_read_back_as_packed() {
        let plain = Lifetime {
            revoked: false,
            expires_at: None,
            rotation_days: None,
            rotated_at: 1_700_000_000,
        };
        let entries = vec![
            entry("", TokenKind::Workspace, plain, 1_700_000_000),
            entry("ci deploy", TokenKind::Personal, plain, 1_700_000_000),
            entry("ci deploy 2", TokenKind::External, plain, -5),
            entry(
                "ci dé",
                TokenKind::Rsa,
                Lifetime {
                    revoked: true,
                    expires_at: Some(1_800_000_000),
                    rotation_days: Some(90),
                    rotated_at: 1_750_000_000,
                },
                1_700_000_000,
            ),
            entry("ci dê x", TokenKind::Jwt, plain, i64::MIN / 2),
            entry("日本語 key", TokenKind::Service, plain, i64::MAX / 2),
        ];
        let data = pack(&entries);
        same(&decode(&data).expect("decode"), &entries);
        let mut names = Names::default();
        let mut rows = Vec::new();
        decode_into(&data, &mut names, &mut rows).expect("decode");
        assert_eq!(names.get(4).to_string(), "ci dê x");
        assert_eq!(rows[3].kind, TokenKind::Rsa);
        // Shared prefixes are stored once: well under the names' own size beyond the
        // fixed part (16 id bytes, flags, a date).
        let many: Vec<Entry> = (0..1000)
            .map(|i| {
                entry(
                    &format!("deploy-prod-billing {i:06}"),
                    TokenKind::Personal,
                    plain,
                    1_700_000_000,
                )
            })
            .collect();
        assert!(
            pack(&many).len() < 1000 * (16 + 1 + 5 + 8),
            "{}",
            pack(&many).len()
        );
    }

    #[test]
    fn a_damaged_chunk_is_an_error_not_a_panic() {
        let plain = Lifetime {
            revoked: false,
            expires_at: Some(9),
            rotation_days: Some(3),
            rotated_at: 7,
        };
        let data = pack(&[
            entry("grüße", TokenKind::Personal, plain, 1),
            entry("grüßen", TokenKind::Jwt, plain, 2),
        ]);
        for cut in 0..data.len() {
            assert!(decode(&data[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..data.len() {
            for bit in 0..8 {
                let mut bad = data.clone();
                bad[at] ^= 1 << bit;
                // Either an error or some entries: never a panic.
                let _ = decode(&bad);
            }
        }
        let mut longer = data.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
    }

    #[test]
    fn names_sort_as_sqlite_nocase() {
        let mut names = vec!["b", "A", "a_", "Ab", "[", "é", "z"];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(names, ["[", "A", "a_", "Ab", "b", "z", "é"]);
    }
}
