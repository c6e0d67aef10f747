//! Running a resolved [`Command`]: the glue between the CLI and the library.

use anyhow::Context;

use crate::cli::Command;
use crate::progress::Progress;
use crate::{compare, report, synth};

/// Run `cmd`; returns the process exit code on success.
pub fn run(cmd: Command, progress: Progress, quiet: bool) -> anyhow::Result<i32> {
    match cmd {
        Command::Compare { cfg, out } => {
            let rep = compare::run(&cfg, &progress).context("cannot run the comparison")?;
            let written = report::write_all(&out, &rep, &report::default_writers())?;
            let v = &rep.verdict;
            println!(
                "{}: {}{}",
                rep.student,
                v.label,
                v.teacher.as_deref().map(|t| format!(" {t}")).unwrap_or_default()
            );
            if !quiet {
                for p in written {
                    eprintln!("wrote {}", p.display());
                }
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Simulate(a) => {
            let files = synth::write_corpus(&a.out, a.seed, a.probes)?;
            if !quiet {
                eprintln!("wrote {} datasets to {}", files.len(), a.out.display());
            }
            Ok(crate::error::EXIT_OK)
        }
    }
}
