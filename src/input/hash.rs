//! Content hashes: SHA-256 of input files (recorded in every report) and a
//! fast, stable hash of normalised prompts used to align probes.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of a file read as a stream, or `None` when it
/// holds more than `max` bytes (FIFOs and devices report no length).
pub fn sha256_file(path: &std::path::Path, max: u64) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?.take(max.saturating_add(1));
    let mut hasher = Sha256::new();
    let total = std::io::copy(&mut file, &mut hasher)?;
    Ok((total <= max).then(|| hex::encode(hasher.finalize())))
}

/// Collapse every run of Unicode whitespace to one space and trim the ends,
/// so that the same prompt re-serialised with other line breaks aligns.
pub fn normalise_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Alignment key of a prompt: SHA-256 of its whitespace-normalised text,
/// truncated to 16 hex digits (64 bits: collisions are negligible at the
/// probe counts we cap).
pub fn prompt_key(prompt: &str) -> String {
    let full = sha256_hex(normalise_ws(prompt).as_bytes());
    format!("h:{}", &full[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_file_hash_matches_and_stops_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(sha256_file(&p, 3).unwrap(), Some(sha256_hex(b"abc")));
        assert_eq!(sha256_file(&p, 2).unwrap(), None);
    }

    #[test]
    fn sha256_of_empty_is_known() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn whitespace_variants_share_a_key() {
        assert_eq!(prompt_key("a  b\r\nc "), prompt_key(" a b\nc"));
        assert_ne!(prompt_key("a b"), prompt_key("ab"));
    }
}
