//! Errors raised while reading inputs. Each carries the file and, where it
//! applies, the line or JSON path and what was expected, so a user can open
//! the file at the right place.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: is a directory, expected a file")]
    IsDirectory { path: PathBuf },
    #[error("{path}:{line}: invalid UTF-8")]
    Utf8 { path: PathBuf, line: u64 },
    #[error("{path}:{line}: malformed JSON: {message}")]
    Json {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}:{line}: field `{field}`: expected {expected}, found {found}")]
    Field {
        path: PathBuf,
        line: u64,
        field: String,
        expected: &'static str,
        found: String,
    },
    #[error("{path}:{line}: malformed CSV: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: cannot tell the format ({reason}); pass --format")]
    UnknownFormat { path: PathBuf, reason: String },
    /// A file that cannot be used as a whole: a malformed Parquet file, a
    /// missing column, FastChat answers without their question file.
    #[error("{path}: {reason}")]
    Unusable { path: PathBuf, reason: String },
    #[error("{path}: no records found")]
    Empty { path: PathBuf },
    #[error("{path}{}: limit `{limit}` ({value}) exceeded; raise it with the matching option if the file is trusted", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Limit {
        path: PathBuf,
        line: Option<u64>,
        limit: &'static str,
        value: u64,
    },
}
