//! The end-to-end tests, as one test binary.
//!
//! Every file beside this one is a module of it. One binary links the
//! library (with candle and tokenizers) once instead of once per file: the
//! separate binaries took about 360 MB of disk each in a debug build, enough
//! to fill a CI runner's disk, and one link per file cost minutes of CI time.
//! Run one group with a filter, e.g. `cargo test --test e2e cli::`.

mod common;

mod bad_input;
mod batch;
mod calibration;
mod cli;
mod determinism;
mod distribution_cli;
mod formats_cli;
mod html;
mod html_browser;
mod layers;
mod likelihood_ratio;
mod matrix;
mod model_cli;
mod model_gguf;
mod model_runner;
mod refusals_cli;
mod snapshots;
mod stats_props;
mod verify;
mod weights_bad;
mod weights_reparam;
mod weights_verdicts;
