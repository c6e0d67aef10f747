//! Records the git commit the binary is built from, so every report can say
//! exactly which code produced it (`tool.git_commit`). A tree with
//! uncommitted changes is marked `-dirty`; outside a git checkout the value
//! is `unknown`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = match git(&["rev-parse", "HEAD"]) {
        Some(c) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{c}-dirty")
            } else {
                c
            }
        }
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=LINEAGE_GIT_COMMIT={commit}");
    for p in [".git/HEAD", ".git/refs", ".git/index", "src"] {
        println!("cargo:rerun-if-changed={p}");
    }
}
