//! Exit codes and the errors that select them.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success, whatever the verdict |
//! | 1 | `verify`: the re-run differs from the report |
//! | 2 | bad input or bad usage: nothing was written |
//! | 3 | any other failure (e.g. the output directory is not writable) |

use crate::input::InputError;
use crate::model::ModelError;
use crate::weights::WeightsError;

/// A command line that parses but makes no sense.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub const EXIT_OK: i32 = 0;
pub const EXIT_DIFFERS: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;
pub const EXIT_FAILURE: i32 = 3;

/// Exit code for an error chain: bad input anywhere in the chain wins.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    let bad_input = err.chain().any(|e| {
        e.is::<InputError>()
            || e.is::<UsageError>()
            || e.is::<WeightsError>()
            || e.is::<ModelError>()
            || e.is::<crate::compare::calibration::apply::Mismatch>()
    });
    if bad_input {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}
