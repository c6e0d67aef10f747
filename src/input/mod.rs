//! Loading probe-response datasets.
//!
//! Every loader turns one file into a [`Dataset`]: a list of [`Record`]s plus
//! the file's SHA-256, so a report can prove which bytes it analysed.
//! Formats are sniffed from content and extension ([`sniff`]) and can be
//! forced with `--format`. Parsers never trust the file: lines, records and
//! fields are capped by [`Limits`], and every error names the file, the line
//! (or JSON path) and what was expected.

pub mod align;
pub mod error;
pub mod hash;
pub mod sniff;
pub mod tree;

mod alpaca;
mod anthropic;
mod canonical;
mod conversation;
mod csvfmt;
mod fastchat;
mod jsonarray;
mod jsonutil;
mod messages;
mod openai;
mod options;
mod parquetfmt;
mod sharegpt;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::InputError;
pub use options::ReadOptions;

/// One token's log-probability, with optional top-k alternatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    pub token: String,
    pub logprob: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<TopLogprob>,
}

/// An alternative token at one position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopLogprob {
    pub token: String,
    pub logprob: f64,
}

/// One model answer to one probe, in the canonical shape every adapter yields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Identifier of the probe, when the source file carries one.
    pub probe_id: Option<String>,
    pub prompt: String,
    /// `None` when the source had no response at all (e.g. a failed batch
    /// request); `Some("")` when the model answered with nothing.
    pub response: Option<String>,
    pub model: Option<String>,
    /// Sample index when a probe was answered several times.
    pub sample: u32,
    pub logprobs: Option<Vec<TokenLogprob>>,
    /// Probe category, when the source carries one (CSV `type`/`category`,
    /// AlpacaEval `dataset`).
    pub category: Option<String>,
    /// Extra columns or fields kept verbatim.
    pub metadata: BTreeMap<String, String>,
    /// 1-based line of the record in its file (JSON arrays: element index + 1).
    pub line: u64,
}

/// The supported input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// lineage's own JSONL (see docs/formats.md).
    Jsonl,
    /// AlpacaEval `model_outputs.json`.
    Alpaca,
    /// CSV with a prompt column and a response/completion column.
    Csv,
    /// OpenAI Chat Completions or Batch API output JSONL.
    OpenaiBatch,
    /// Anthropic Message Batches results JSONL.
    AnthropicBatch,
    /// FastChat (MT-Bench, Arena-Hard) answer JSONL plus its question file.
    Fastchat,
    /// Chat-message JSONL (`{"messages": [...]}`, OpenAI fine-tuning).
    Messages,
    /// ShareGPT conversations (`{"conversations": [...]}`), array or JSONL.
    Sharegpt,
    /// Parquet (e.g. Hugging Face dataset exports).
    Parquet,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Alpaca => "alpaca",
            Format::Csv => "csv",
            Format::OpenaiBatch => "openai-batch",
            Format::AnthropicBatch => "anthropic-batch",
            Format::Fastchat => "fastchat",
            Format::Messages => "messages",
            Format::Sharegpt => "sharegpt",
            Format::Parquet => "parquet",
        }
    }
}

/// Caps that keep hostile files from exhausting the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest accepted input file, in bytes.
    pub max_file_bytes: u64,
    /// Longest accepted line (JSONL/CSV record), in bytes.
    pub max_line_bytes: usize,
    /// Most records accepted from one file.
    pub max_records: usize,
    /// Deepest accepted JSON nesting.
    pub max_json_depth: usize,
    /// Most bytes of metadata (extra column names and values) kept from one
    /// file. CSV repeats every header name in every row's metadata, so a
    /// long header over many tiny rows would otherwise multiply memory far
    /// beyond the file size.
    pub max_metadata_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 << 30,
            max_line_bytes: 16 << 20,
            max_records: 2_000_000,
            max_json_depth: 64,
            max_metadata_bytes: 256 << 20,
        }
    }
}

/// A loaded probe-response file.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Model name: the file stem unless given as `name=path`.
    pub name: String,
    pub path: PathBuf,
    pub sha256: String,
    pub format: Format,
    pub records: Vec<Record>,
}

/// Load one dataset, sniffing its format unless `format` is given.
pub fn load(
    name: &str,
    path: &Path,
    format: Option<Format>,
    limits: &Limits,
) -> Result<Dataset, InputError> {
    load_with(name, path, format, limits, &ReadOptions::default())
}

/// [`load`] with the options some formats take (question file, turns,
/// columns). A Parquet file is read from disk a row group at a time rather
/// than whole.
pub fn load_with(
    name: &str,
    path: &Path,
    format: Option<Format>,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Dataset, InputError> {
    if format == Some(Format::Parquet) || (format.is_none() && starts_with_magic(path)) {
        return load_parquet(name, path, limits, opts);
    }
    let bytes = read_capped(path, limits)?;
    load_bytes_with(name, path, &bytes, format, limits, opts)
}

/// Load a dataset from bytes already in memory, exactly as [`load`] does
/// after reading the file (`path` only names it in errors and the result).
/// Public so that fuzz targets and tests can drive the whole load path.
pub fn load_bytes(
    name: &str,
    path: &Path,
    bytes: &[u8],
    format: Option<Format>,
    limits: &Limits,
) -> Result<Dataset, InputError> {
    load_bytes_with(name, path, bytes, format, limits, &ReadOptions::default())
}

/// [`load_bytes`] with reading options, as [`load_with`].
pub fn load_bytes_with(
    name: &str,
    path: &Path,
    bytes: &[u8],
    format: Option<Format>,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Dataset, InputError> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limits.max_file_bytes {
        return Err(file_limit(path, limits));
    }
    let sha256 = hash::sha256_hex(bytes);
    if format == Some(Format::Parquet) || (format.is_none() && bytes.starts_with(parquetfmt::MAGIC))
    {
        let data = bytes::Bytes::copy_from_slice(bytes);
        let records = parquetfmt::parse(path, data, limits, opts)?;
        return Ok(Dataset {
            name: name.to_string(),
            path: path.to_path_buf(),
            sha256,
            format: Format::Parquet,
            records,
        });
    }
    let text = decode(path, bytes)?;
    let format = match format {
        Some(f) => f,
        None => sniff::sniff(path, text)?,
    };
    let records = parse_with(format, path, text, limits, opts)?;
    Ok(Dataset {
        name: name.to_string(),
        path: path.to_path_buf(),
        sha256,
        format,
        records,
    })
}

/// Parse already-decoded text in a known format.
pub fn parse(
    format: Format,
    path: &Path,
    text: &str,
    limits: &Limits,
) -> Result<Vec<Record>, InputError> {
    parse_with(format, path, text, limits, &ReadOptions::default())
}

/// [`parse`] with reading options. FastChat answers read their question
/// file from disk (found from `path` unless `opts` names it).
pub fn parse_with(
    format: Format,
    path: &Path,
    text: &str,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Vec<Record>, InputError> {
    match format {
        Format::Jsonl => canonical::parse(path, text, limits),
        Format::Alpaca => alpaca::parse(path, text, limits),
        Format::Csv => csvfmt::parse_named(path, text, limits, opts),
        Format::OpenaiBatch => openai::parse(path, text, limits),
        Format::AnthropicBatch => anthropic::parse(path, text, limits),
        Format::Fastchat => {
            let qpath = fastchat::question_file(path, opts)?;
            let qbytes = read_capped(&qpath, limits)?;
            let qtext = decode(&qpath, &qbytes)?;
            parse_fastchat(path, text, &qpath, qtext, limits)
        }
        Format::Messages => messages::parse(path, text, limits, opts.all_turns),
        Format::Sharegpt => sharegpt::parse(path, text, limits, opts.all_turns),
        Format::Parquet => parquetfmt::parse(
            path,
            bytes::Bytes::copy_from_slice(text.as_bytes()),
            limits,
            opts,
        ),
    }
}

/// FastChat answers `text` (file `path`) against the question file
/// `qpath` holding `qtext`. Public so that fuzz targets can drive it
/// without files.
pub fn parse_fastchat(
    path: &Path,
    text: &str,
    qpath: &Path,
    qtext: &str,
    limits: &Limits,
) -> Result<Vec<Record>, InputError> {
    let questions = fastchat::parse_questions(qpath, qtext, limits)?;
    fastchat::parse(path, text, limits, &questions)
}

/// UTF-8 text of a file's bytes, without a leading byte-order mark.
fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::Utf8 {
        path: path.to_path_buf(),
        line: line_of_offset(bytes, e.valid_up_to()),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Whether the file starts with the Parquet magic (unreadable: no; the
/// normal path then reports why).
fn starts_with_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|f| f.take(4).read_exact(&mut head))
        .is_ok()
        && &head == parquetfmt::MAGIC
}

/// A Parquet file read from disk: hashed as a stream, then decoded a row
/// group at a time, so it is never held in memory whole.
fn load_parquet(
    name: &str,
    path: &Path,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Dataset, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(InputError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > limits.max_file_bytes || !meta.is_file() {
        return Err(file_limit(path, limits));
    }
    let sha256 = hash::sha256_file(path, limits.max_file_bytes)
        .map_err(io)?
        .ok_or_else(|| file_limit(path, limits))?;
    let file = std::fs::File::open(path).map_err(io)?;
    let records = parquetfmt::parse(path, file, limits, opts)?;
    Ok(Dataset {
        name: name.to_string(),
        path: path.to_path_buf(),
        sha256,
        format: Format::Parquet,
        records,
    })
}

/// The bytes of a regular file, refusing directories and anything over
/// `limits.max_file_bytes` (bad input, exit 2).
pub fn read_capped(path: &Path, limits: &Limits) -> Result<Vec<u8>, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(InputError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > limits.max_file_bytes {
        return Err(file_limit(path, limits));
    }
    read_at_most(path, limits.max_file_bytes)
        .map_err(io)?
        .ok_or_else(|| file_limit(path, limits))
}

fn file_limit(path: &Path, limits: &Limits) -> InputError {
    InputError::Limit {
        path: path.to_path_buf(),
        line: None,
        limit: "max_file_bytes",
        value: limits.max_file_bytes,
    }
}

/// The file's bytes, or `None` when it holds more than `max` bytes. The
/// size in the metadata is not enough: FIFOs, devices such as /dev/zero
/// and /proc files report a length of 0 and would be read without end.
pub fn read_at_most(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the metadata when it is plausible, so a large file is read
    // into one buffer rather than copied through each doubling; the cap
    // still comes from `take`, whatever the metadata says.
    let hint = file.metadata().map_or(0, |m| m.len()).min(max);
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).saturating_add(1));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((u64::try_from(bytes.len()).unwrap_or(u64::MAX) <= max).then_some(bytes))
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Sets probe id and sample index from a batch request's `custom_id`:
/// `lineage probes export` names the samples of one probe `ID__s<N>`, so
/// the results of several samples align on the probe, not on N probes.
fn set_batch_id(rec: &mut Record, custom_id: &str) {
    let (probe, sample) = crate::probes::split_custom_id(custom_id);
    rec.probe_id = Some(probe.to_string());
    if let Some(n) = sample {
        rec.sample = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review finding: /dev/zero reports a length of 0, so the metadata
    /// check passed and `fs::read` then never returned.
    #[cfg(unix)]
    #[test]
    fn endless_files_stop_at_the_cap() {
        let limits = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        };
        let e = load("z", Path::new("/dev/zero"), None, &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: limit `max_file_bytes` (1000) exceeded; \
             raise it with the matching option if the file is trusted"
        );
        assert_eq!(
            read_at_most(Path::new("/dev/null"), 0).unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn load_bytes_matches_load() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl");
        let text = "\u{feff}{\"prompt\": \"a\", \"response\": \"b\"}\r\n";
        std::fs::write(&p, text).unwrap();
        let limits = Limits::default();
        let a = load("d", &p, None, &limits).unwrap();
        let b = load_bytes("d", &p, text.as_bytes(), None, &limits).unwrap();
        assert_eq!((a.sha256, a.records), (b.sha256, b.records));
        let tight = Limits {
            max_file_bytes: 3,
            ..limits
        };
        let e = load_bytes("d", &p, text.as_bytes(), None, &tight).unwrap_err();
        assert!(e.to_string().contains("max_file_bytes"), "{e}");
    }
}
