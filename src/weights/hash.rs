//! SHA-256 of checkpoint files, streamed with positioned reads through a
//! 4 MiB buffer (so RSS does not grow with the file), with a progress bar
//! over bytes.

use sha2::{Digest, Sha256};

use super::checkpoint::DataFile;

const STEP: u64 = 4 << 20;

/// Lower-case hex SHA-256 of a checkpoint file; `tick(n)` after each step.
pub fn sha256_file(f: &DataFile, mut tick: impl FnMut(u64)) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; STEP.min(f.len) as usize];
    let mut at = 0;
    while at < f.len {
        let n = STEP.min(f.len - at) as usize;
        f.read_exact_at(&mut buf[..n], at)?;
        h.update(&buf[..n]);
        tick(n as u64);
        at += n as u64;
    }
    Ok(hex::encode(h.finalize()))
}
