//! lineage: offline forensic analysis of model lineage.
//!
//! The pipeline reads probe-response datasets ([`input`]), extracts
//! behavioural fingerprints ([`fingerprint`]), calibrates the similarity of a
//! student to each candidate teacher against a reference panel ([`stats`],
//! [`compare`]) and writes reproducible reports ([`report`]).

pub mod app;
pub mod batch;
pub mod cli;
pub mod compare;
pub mod error;
pub mod fingerprint;
pub mod input;
pub mod matrix;
pub mod model;
pub mod probes;
pub mod progress;
pub mod report;
pub mod stats;
pub mod synth;
pub mod train;
pub mod verify;
pub mod weights;
