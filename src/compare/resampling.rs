//! The one place [`Resampling`] settings are made: each command's defaults
//! (the command line's defaults too), a run's seed and counts over them,
//! and the settings a report records, for `verify` to rerun it with.

use super::analysis::Resampling;
use crate::report::schema::Parameters;

impl Resampling {
    /// `lineage compare`: 4999 sign-flip resamples (p-values down to
    /// 1/5000) and 2000 bootstrap resamples per 95% interval.
    pub const COMPARE: Resampling = Resampling {
        seed: 0,
        resamples: 4999,
        bootstrap: 2000,
        confidence: 0.95,
        sequential: None,
    };

    /// `lineage matrix`: fewer resamples, as it tests every model.
    pub const MATRIX: Resampling = Resampling {
        seed: 0,
        resamples: 999,
        bootstrap: 1000,
        ..Resampling::COMPARE
    };

    /// These settings with a run's seed and resample counts.
    pub fn with_counts(self, seed: u64, resamples: usize, bootstrap: usize) -> Resampling {
        Resampling {
            seed,
            resamples,
            bootstrap,
            ..self
        }
    }

    /// The settings a report was made with (the inverse of
    /// [`super::parameters`]).
    pub fn of(p: &Parameters) -> Resampling {
        Resampling {
            seed: p.seed,
            resamples: p.resamples,
            bootstrap: p.bootstrap,
            confidence: p.confidence,
            sequential: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_gives_back_the_settings_it_was_made_with() {
        let rs = Resampling::MATRIX.with_counts(7, 99, 50);
        let p = super::super::parameters(None, 0.01, rs);
        let back = Resampling::of(&p);
        assert_eq!(
            (back.seed, back.resamples, back.bootstrap, back.confidence),
            (7, 99, 50, 0.95)
        );
    }
}
