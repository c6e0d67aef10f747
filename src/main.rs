//! The `lineage` binary: parse arguments, resolve a configuration, run,
//! print the error chain and exit with a code scripts can use
//! (see [`lineage::error`] and [`lineage::app::exit_code`]).

use clap::Parser;
use lineage::{app, cli, progress::Progress};

// The analyses allocate millions of short-lived vectors from several
// threads; mimalloc's thread-local heaps made a comparison about a tenth
// faster than the system allocator (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the mimalloc 3 that libmimalloc-sys 0.1.49
/// bundles (`mimalloc.h`); the crate exports no constant for it, so
/// Cargo.toml pins that exact version.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep freed memory in the process for its lifetime (a run is short): by
/// default mimalloc hands it back after 10 ms and the kernel then zeroes
/// the pages again on reuse, a tenth of a comparison's CPU time.
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option; mimalloc reads it on each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// Small pages for the whole process. A run touches a few hundred MB
/// once; on a virtual machine whose host takes back free guest memory,
/// the first touch of a transparent huge page cost about three times as
/// much per MB as that of small pages, 0.4 s of a comparison's system
/// time (docs/benchmarks.md), and a short run never earns it back in
/// fewer TLB misses.
#[cfg(target_os = "linux")]
fn small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and only sets a
    // flag on this process; failure leaves the default, which is correct.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn small_pages() {}

fn main() {
    small_pages();
    keep_freed_memory();
    let args = cli::Cli::parse();
    let progress = Progress::new(args.quiet);
    let quiet = args.quiet;
    let result = cli::resolve(args.command)
        .map_err(anyhow::Error::from)
        .and_then(|cmd| app::run(cmd, progress, quiet));
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            app::exit_code(&e)
        }
    };
    std::process::exit(code);
}
