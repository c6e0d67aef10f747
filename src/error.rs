//! Exit codes and the errors that select them.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success, whatever the verdict |
//! | 1 | `verify`: the re-run differs from the report |
//! | 2 | bad input or bad usage: nothing was written |
//! | 3 | any other failure (e.g. the output directory is not writable) |
//!
//! [`crate::app::exit_code`] picks the code of an error chain: this module
//! is at the bottom of the layers, below the errors it classifies.

/// A command line that parses but makes no sense.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub const EXIT_OK: i32 = 0;
pub const EXIT_DIFFERS: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;
pub const EXIT_FAILURE: i32 = 3;
