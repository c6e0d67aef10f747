//! Content-addressed fingerprint cache.
//!
//! Each dataset's per-response raw feature counts ([`crate::fingerprint::channels`]) are
//! stored under a key derived from the input's SHA-256, the fingerprint
//! version and the parameters that change the counts, so a rerun, an added
//! model or a `--shard` job on another node never fingerprints the same
//! bytes twice. Entries are written atomically ([`crate::report::atomic`])
//! in a small little-endian binary encoding that reloads at disk speed.
//! A cache file that fails to decode (truncated, foreign, hostile) is
//! treated as a miss and rewritten: the cache is never trusted beyond its
//! checksum-free structure, and every length is bounded by the file size.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fingerprint::SparseVec;

/// Bump whenever an extractor's raw counts change, so stale entries are
/// never read (the key includes it).
pub const FINGERPRINT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"LNGFP\0\0\x01";

/// One response's cached counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CachedRecord {
    pub probe_id: Option<String>,
    /// Alignment key of the prompt ([`crate::input::hash::prompt_key`]).
    pub prompt_key: String,
    /// False when the response is absent or blank.
    pub answered: bool,
    /// One vector per channel, in [`crate::fingerprint::channels::CHANNELS`] order.
    pub channels: Vec<SparseVec>,
}

/// A dataset's cached fingerprint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    pub format: String,
    pub records: Vec<CachedRecord>,
}

/// Cache key of a dataset: hex SHA-256 of the input hash, the version and
/// the parameters.
pub fn key(input_sha256: &str, params: &str) -> String {
    let mut h = Sha256::new();
    h.update(input_sha256.as_bytes());
    h.update(b"\n");
    h.update(FINGERPRINT_VERSION.to_le_bytes());
    h.update(b"\n");
    h.update(params.as_bytes());
    hex::encode(h.finalize())
}

/// Where an entry lives: two-level fan-out keeps directories small.
pub fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2]).join(format!("{key}.lfp"))
}

/// Read an entry; `None` when absent or undecodable.
pub fn load(dir: &Path, key: &str) -> Option<Entry> {
    let bytes = std::fs::read(path(dir, key)).ok()?;
    decode(&bytes)
}

/// Write an entry atomically.
pub fn store(dir: &Path, key: &str, entry: &Entry) -> anyhow::Result<()> {
    let p = path(dir, key);
    let parent = p.parent().expect("cache path has a parent");
    std::fs::create_dir_all(parent)
        .map_err(|e| anyhow::anyhow!("cannot create cache directory {}: {e}", parent.display()))?;
    crate::report::atomic::write(&p, &encode(entry))
}

pub fn encode(e: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(MAGIC);
    put_str(&mut out, &e.format);
    put_u32(&mut out, e.records.len() as u32);
    for r in &e.records {
        let flags = u8::from(r.probe_id.is_some()) | (u8::from(r.answered) << 1);
        out.push(flags);
        put_str(&mut out, r.probe_id.as_deref().unwrap_or(""));
        put_str(&mut out, &r.prompt_key);
        put_u32(&mut out, r.channels.len() as u32);
        for v in &r.channels {
            put_u32(&mut out, v.idx.len() as u32);
            v.idx
                .iter()
                .for_each(|i| out.extend_from_slice(&i.to_le_bytes()));
            v.val
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        }
    }
    out
}

pub fn decode(bytes: &[u8]) -> Option<Entry> {
    let mut r = Reader { b: bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let format = r.string()?;
    let n = r.u32()? as usize;
    let mut records = Vec::with_capacity(n.min(bytes.len()));
    for _ in 0..n {
        let flags = r.take(1)?[0];
        let id = r.string()?;
        let prompt_key = r.string()?;
        let nc = r.u32()? as usize;
        let mut channels = Vec::with_capacity(nc.min(64));
        for _ in 0..nc {
            let nnz = r.u32()? as usize;
            let idx = r.take(nnz.checked_mul(4)?)?;
            let val = r.take(nnz.checked_mul(4)?)?;
            channels.push(SparseVec {
                idx: idx
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
                val: val
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            });
        }
        records.push(CachedRecord {
            probe_id: (flags & 1 == 1).then_some(id),
            prompt_key,
            answered: flags & 2 == 2,
            channels,
        });
    }
    (r.at == bytes.len()).then_some(Entry { format, records })
}

fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// Bounds-checked cursor: every read fails cleanly past the end.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            format: "jsonl".into(),
            records: vec![
                CachedRecord {
                    probe_id: Some("p1".into()),
                    prompt_key: "h:00".into(),
                    answered: true,
                    channels: vec![
                        SparseVec::from_pairs(vec![(3, 1.5), (1, 2.0)]),
                        SparseVec::default(),
                    ],
                },
                CachedRecord {
                    probe_id: None,
                    prompt_key: "h:01".into(),
                    answered: false,
                    channels: vec![],
                },
            ],
        }
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let e = sample();
        let b = encode(&e);
        assert_eq!(decode(&b), Some(e));
        for cut in [0, 5, 9, b.len() - 1] {
            assert_eq!(decode(&b[..cut]), None, "cut at {cut}");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
    }

    #[test]
    fn key_depends_on_every_part() {
        let k = key("ab", "x");
        assert_ne!(k, key("ac", "x"));
        assert_ne!(k, key("ab", "y"));
        assert_eq!(k.len(), 64);
    }

    #[test]
    fn store_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let k = key("ab", "x");
        assert_eq!(load(dir.path(), &k), None);
        store(dir.path(), &k, &sample()).unwrap();
        assert_eq!(load(dir.path(), &k), Some(sample()));
    }
}
