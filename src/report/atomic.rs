//! Atomic file output: write a temporary file next to the target, flush it
//! to disk, then rename it over the target. Readers see the old file or the
//! complete new one, never a half-written report.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

/// Fault injection for the crash tests (`tests/bad_input.rs`): with
/// `LINEAGE_CRASH_IN_WRITE=N` the Nth atomic write of the process writes
/// half its bytes to the temporary file and then aborts, as a `kill -9`
/// or a power cut would at that instant. A deterministic crash point
/// replaces killing the process after a guessed delay, which depended on
/// the machine's speed.
const CRASH_VAR: &str = "LINEAGE_CRASH_IN_WRITE";

static WRITES: AtomicUsize = AtomicUsize::new(0);

fn crash_here() -> bool {
    let n = WRITES.fetch_add(1, Ordering::SeqCst) + 1;
    std::env::var(CRASH_VAR)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        == Some(n)
}

/// Atomically replace `path` with `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".lineage-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    // Temporary files are created 0600; a report or dataset is for sharing,
    // so give it the usual 0644 before it takes the final name.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot set permissions on {}", path.display()))?;
    }
    if crash_here() {
        let _ = tmp.write_all(&bytes[..bytes.len() / 2]);
        let _ = tmp.as_file().sync_all();
        std::process::abort();
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot move the new file into place at {}", path.display()))?;
    // The rename itself lives in the directory: sync it too, so a crash
    // right after we report success cannot lose the new name. Best effort:
    // some file systems refuse to sync a directory.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        super::write(&p, b"one").unwrap();
        super::write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
