//! Progress display on stderr (indicatif), silenced by `--quiet` or when
//! stderr is not a terminal so logs and CI output stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Factory for progress bars that all honour the same quiet setting.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress { enabled: !quiet }
    }

    /// No output at all (library use, tests).
    pub fn hidden() -> Self {
        Progress { enabled: false }
    }

    /// A bar over `len` steps with an ETA.
    pub fn bar(&self, len: u64, msg: &'static str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({eta})")
                .expect("static template")
                .progress_chars("=> "),
        );
        pb.set_message(msg);
        pb
    }

    /// A spinner for work without a known length.
    pub fn spinner(&self, msg: &'static str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_message(msg);
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }
}
