//! The `lineage` binary: parse arguments, resolve a configuration, run,
//! print the error chain and exit with a code scripts can use
//! (see [`lineage::error`]).

use clap::Parser;
use lineage::{app, cli, error, progress::Progress};

// The analyses allocate millions of short-lived vectors from several
// threads; mimalloc's thread-local heaps made a comparison about a tenth
// faster than the system allocator (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
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
            error::exit_code(&e)
        }
    };
    std::process::exit(code);
}
