//! SHA-256 of checkpoint files, streamed through the memory map in 8 MiB
//! steps (pages are released after hashing so RSS stays small), with a
//! progress bar over bytes.

use sha2::{Digest, Sha256};

use super::checkpoint::Mapped;

const STEP: usize = 8 << 20;

/// Lower-case hex SHA-256 of a mapped file; `tick(n)` after each step.
pub fn sha256_mapped(m: &Mapped, mut tick: impl FnMut(u64)) -> String {
    let mut h = Sha256::new();
    let mut at = 0;
    while at < m.map.len() {
        let end = (at + STEP).min(m.map.len());
        h.update(&m.map[at..end]);
        // SAFETY: read-only MAP_SHARED file mapping, see Checkpoint::release.
        let _ = unsafe {
            m.map
                .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, at, end - at)
        };
        tick((end - at) as u64);
        at = end;
    }
    hex::encode(h.finalize())
}
