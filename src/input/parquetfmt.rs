//! Parquet files, such as the Parquet exports of Hugging Face datasets
//! (Apache Parquet format specification; read with the `parquet` crate's
//! column readers, without Arrow). Columns are chosen by name exactly as
//! for CSV (`csvfmt.rs`): prompt from `prompt`, `instruction`, `question`
//! or `input`, response from `response`, `completion`, `output` or
//! `answer`, plus optional `probe_id`/`id`, `category`/`type` and
//! `model`/`generator`, case-insensitively, unless `--prompt-column` or
//! `--response-column` names the column. Only top-level, non-repeated
//! columns count; the others are not read at all (so they are not kept as
//! metadata). A record's "line" is its row number, 1-based.
//!
//! Memory stays bounded on large files: the file is not read whole, only
//! the chosen columns of one row group at a time, in batches of rows. The
//! `Limits` apply: file size, rows (`max_records`, checked against the
//! footer before any data is read), each row's prompt plus response
//! (`max_line_bytes`) and each decompressed column chunk (`max_file_bytes`).
//! The `parquet` crate is not hardened against hostile files (it has
//! panicked on fuzzed input before), so a panic inside it is caught and
//! reported as a malformed file instead of ending the process.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use parquet::basic::{Compression, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType};
use parquet::file::reader::{ChunkReader, FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;

use super::jsonutil::{limit_error, line_no};
use super::{InputError, Limits, ReadOptions, Record};

/// Leading (and trailing) bytes of every Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

const PROMPT: &[&str] = &["prompt", "instruction", "question", "input"];
const RESPONSE: &[&str] = &["response", "completion", "output", "answer"];
const ID: &[&str] = &["probe_id", "id"];
const CATEGORY: &[&str] = &["category", "type"];
const MODEL: &[&str] = &["model", "generator"];

/// Rows decoded per call into a column reader.
const BATCH: usize = 1024;

/// Parse a Parquet file held by `reader` (a `File` or in-memory `Bytes`).
pub fn parse<R: ChunkReader + 'static>(
    path: &Path,
    reader: R,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Vec<Record>, InputError> {
    catch_unwind(AssertUnwindSafe(|| read(path, reader, limits, opts)))
        .unwrap_or_else(|_| Err(malformed(path, "the Parquet reader failed on this file")))
}

fn malformed(path: &Path, e: impl std::fmt::Display) -> InputError {
    InputError::Unusable {
        path: path.to_path_buf(),
        reason: format!("malformed Parquet: {e}"),
    }
}

fn read<R: ChunkReader + 'static>(
    path: &Path,
    reader: R,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Vec<Record>, InputError> {
    let file = SerializedFileReader::new(reader).map_err(|e| malformed(path, e))?;
    let meta = file.metadata();
    let rows = meta.file_metadata().num_rows();
    if usize::try_from(rows).map_or(true, |n| n > limits.max_records) {
        let too_many = rows > 0;
        return Err(if too_many {
            limit_error(path, None, "max_records", limits.max_records)
        } else {
            malformed(path, format!("the footer gives {rows} rows"))
        });
    }
    let cols = Columns::find(path, meta.file_metadata().schema_descr().columns(), opts)?;
    let mut out = Vec::new();
    for g in 0..file.num_row_groups() {
        let rg = file.get_row_group(g).map_err(|e| malformed(path, e))?;
        row_group(path, &*rg, &cols, limits, &mut out)?;
    }
    super::jsonutil::non_empty(path, out)
}

/// Indices of the chosen columns among the file's leaf columns.
struct Columns {
    prompt: usize,
    response: usize,
    id: Option<usize>,
    category: Option<usize>,
    model: Option<usize>,
}

impl Columns {
    fn find(
        path: &Path,
        leaves: &[std::sync::Arc<ColumnDescriptor>],
        opts: &ReadOptions,
    ) -> Result<Self, InputError> {
        // Top-level, non-repeated columns of a type we can turn into text.
        let usable: Vec<(usize, &str)> = leaves
            .iter()
            .enumerate()
            .filter(|(_, c)| c.path().parts().len() == 1 && c.max_rep_level() == 0)
            .filter(|(_, c)| {
                matches!(
                    c.physical_type(),
                    Physical::BYTE_ARRAY | Physical::INT32 | Physical::INT64
                )
            })
            .map(|(i, c)| (i, c.name()))
            .collect();
        let pick = |names: &[&str]| {
            names.iter().find_map(|n| {
                usable
                    .iter()
                    .find(|(_, h)| h.trim().eq_ignore_ascii_case(n))
                    .map(|&(i, _)| i)
            })
        };
        let found = || {
            let names: Vec<&str> = usable.iter().map(|&(_, n)| n).collect();
            format!("{names:?}")
        };
        let required = |given: &Option<String>, names: &[&str], what: &str, option: &str| {
            let i = match given {
                Some(g) => pick(&[g.as_str()]),
                None => pick(names),
            };
            let i = i.ok_or_else(|| {
                let wanted = match given {
                    Some(g) => format!("a column named `{g}` ({option})"),
                    None => format!("a column named {}", names.join(", ")),
                };
                InputError::Unusable {
                    path: path.to_path_buf(),
                    reason: format!(
                        "no {what} column: expected {wanted}, found top-level columns {}",
                        found()
                    ),
                }
            })?;
            if leaves[i].physical_type() != Physical::BYTE_ARRAY {
                return Err(InputError::Unusable {
                    path: path.to_path_buf(),
                    reason: format!(
                        "{what} column `{}` holds {}, expected strings",
                        leaves[i].name(),
                        leaves[i].physical_type()
                    ),
                });
            }
            Ok(i)
        };
        Ok(Columns {
            prompt: required(&opts.prompt_column, PROMPT, "prompt", "--prompt-column")?,
            response: required(
                &opts.response_column,
                RESPONSE,
                "response",
                "--response-column",
            )?,
            id: pick(ID),
            category: pick(CATEGORY).filter(|&i| is_text(leaves, i)),
            model: pick(MODEL).filter(|&i| is_text(leaves, i)),
        })
    }
}

fn is_text(leaves: &[std::sync::Arc<ColumnDescriptor>], i: usize) -> bool {
    leaves[i].physical_type() == Physical::BYTE_ARRAY
}

/// Appends the records of one row group.
fn row_group(
    path: &Path,
    rg: &dyn RowGroupReader,
    cols: &Columns,
    limits: &Limits,
    out: &mut Vec<Record>,
) -> Result<(), InputError> {
    let rows = usize::try_from(rg.metadata().num_rows())
        .map_err(|_| malformed(path, "a row group with a negative row count"))?;
    let first = out.len();
    if first
        .checked_add(rows)
        .map_or(true, |n| n > limits.max_records)
    {
        return Err(limit_error(path, None, "max_records", limits.max_records));
    }
    let column = |i: Option<usize>| match i {
        Some(i) => column_text(path, rg, i, rows, limits, first),
        None => Ok(vec![None; rows]),
    };
    let prompts = column(Some(cols.prompt))?;
    let responses = column(Some(cols.response))?;
    let ids = column(cols.id)?;
    let categories = column(cols.category)?;
    let models = column(cols.model)?;
    let cells = prompts
        .into_iter()
        .zip(responses)
        .zip(ids.into_iter().zip(categories).zip(models));
    for (k, ((prompt, response), ((id, category), model))) in cells.enumerate() {
        let line = line_no(first.saturating_add(k));
        let len = prompt
            .as_ref()
            .map_or(0, String::len)
            .saturating_add(response.as_ref().map_or(0, String::len));
        if len > limits.max_line_bytes {
            return Err(limit_error(
                path,
                Some(line),
                "max_line_bytes",
                limits.max_line_bytes,
            ));
        }
        out.push(Record {
            probe_id: id,
            prompt: prompt.unwrap_or_default(),
            response,
            model,
            category,
            line,
            ..Record::default()
        });
    }
    Ok(())
}

/// Only the codecs this build links (see Cargo.toml) can be read; say so
/// plainly rather than "malformed".
fn codec_supported(path: &Path, column: &str, c: Compression) -> Result<(), InputError> {
    match c {
        Compression::UNCOMPRESSED | Compression::SNAPPY => Ok(()),
        other => {
            let codec = format!("{other:?}");
            let codec = codec.split('(').next().unwrap_or_default();
            Err(InputError::Unusable {
                path: path.to_path_buf(),
                reason: format!(
                    "column `{column}` is compressed with {codec}; lineage reads uncompressed \
                     and snappy Parquet only (re-save it with snappy, pyarrow's default)"
                ),
            })
        }
    }
}

/// The `rows` values of leaf column `i` as text (`None` for null).
fn column_text(
    path: &Path,
    rg: &dyn RowGroupReader,
    i: usize,
    rows: usize,
    limits: &Limits,
    first: usize,
) -> Result<Vec<Option<String>>, InputError> {
    let chunk = rg.metadata().column(i);
    let size = u64::try_from(chunk.uncompressed_size()).unwrap_or(u64::MAX);
    if size > limits.max_file_bytes {
        return Err(InputError::Limit {
            path: path.to_path_buf(),
            line: None,
            limit: "max_file_bytes",
            value: limits.max_file_bytes,
        });
    }
    let name = chunk.column_descr().name().to_string();
    codec_supported(path, &name, chunk.compression())?;
    let reader = rg.get_column_reader(i).map_err(|e| malformed(path, e))?;
    let max_def = chunk.column_descr().max_def_level();
    let text = |row: usize, v: &ByteArray| {
        std::str::from_utf8(v.data())
            .map(str::to_string)
            .map_err(|_| InputError::Field {
                path: path.to_path_buf(),
                line: line_no(first.saturating_add(row)),
                field: name.clone(),
                expected: "UTF-8 text",
                found: "invalid UTF-8".into(),
            })
    };
    match reader {
        ColumnReader::ByteArrayColumnReader(r) => values(path, r, rows, max_def, text),
        ColumnReader::Int32ColumnReader(r) => {
            values(path, r, rows, max_def, |_, v: &i32| Ok(v.to_string()))
        }
        ColumnReader::Int64ColumnReader(r) => {
            values(path, r, rows, max_def, |_, v: &i64| Ok(v.to_string()))
        }
        _ => Err(malformed(path, format!("column `{name}` changed type"))),
    }
}

/// Reads `rows` values in batches; a value is present when its definition
/// level is the column's maximum (Dremel encoding: lower means null).
fn values<T: DataType>(
    path: &Path,
    mut reader: ColumnReaderImpl<T>,
    rows: usize,
    max_def: i16,
    text: impl Fn(usize, &T::T) -> Result<String, InputError>,
) -> Result<Vec<Option<String>>, InputError> {
    let mut out: Vec<Option<String>> = Vec::with_capacity(rows.min(BATCH));
    let (mut defs, mut vals) = (Vec::new(), Vec::new());
    loop {
        defs.clear();
        vals.clear();
        let (n, _, levels) = reader
            .read_records(BATCH, Some(&mut defs), None, &mut vals)
            .map_err(|e| malformed(path, e))?;
        if n == 0 {
            break;
        }
        let mut vals = vals.iter();
        let mut next = |row: usize| -> Result<String, InputError> {
            let v = vals
                .next()
                .ok_or_else(|| malformed(path, "fewer values than definition levels"))?;
            text(row, v)
        };
        if max_def == 0 {
            for _ in 0..n {
                let row = out.len();
                out.push(Some(next(row)?));
            }
        } else {
            for &d in defs.iter().take(levels) {
                let row = out.len();
                out.push(if d == max_def { Some(next(row)?) } else { None });
            }
        }
        if out.len() > rows {
            break;
        }
    }
    if out.len() != rows {
        return Err(malformed(
            path,
            format!("a column holds {} values for {rows} rows", out.len()),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::data_type::{ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use super::*;

    /// A column to write: strings (`None` = null) or required integers.
    enum Col<'a> {
        Str(&'a str, Vec<Option<&'a [u8]>>),
        Int(&'a str, Vec<i64>),
    }

    /// A snappy-compressed file with `group` rows per row group.
    fn write(cols: &[Col], group: usize) -> bytes::Bytes {
        let fields: Vec<String> = cols
            .iter()
            .map(|c| match c {
                Col::Str(n, _) => format!("optional binary {n} (UTF8);"),
                Col::Int(n, _) => format!("required int64 {n};"),
            })
            .collect();
        let schema = parse_message_type(&format!("message m {{ {} }}", fields.join(" "))).unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut buf = Vec::new();
        let mut w = SerializedFileWriter::new(&mut buf, Arc::new(schema), Arc::new(props)).unwrap();
        let rows = match &cols[0] {
            Col::Str(_, v) => v.len(),
            Col::Int(_, v) => v.len(),
        };
        for start in (0..rows).step_by(group) {
            let end = (start + group).min(rows);
            let mut rg = w.next_row_group().unwrap();
            for c in cols {
                let mut cw = rg.next_column().unwrap().unwrap();
                match c {
                    Col::Str(_, v) => {
                        let v = &v[start..end];
                        let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                        let vals: Vec<ByteArray> =
                            v.iter().flatten().map(|s| s.to_vec().into()).collect();
                        cw.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    Col::Int(_, v) => {
                        cw.typed::<Int64Type>()
                            .write_batch(&v[start..end], None, None)
                            .unwrap();
                    }
                }
                cw.close().unwrap();
            }
            rg.close().unwrap();
        }
        w.close().unwrap();
        bytes::Bytes::from(buf)
    }

    fn strs(v: &[Option<&'static str>]) -> Vec<Option<&'static [u8]>> {
        v.iter().map(|s| s.map(str::as_bytes)).collect()
    }

    fn sample() -> bytes::Bytes {
        write(
            &[
                Col::Int("ID", vec![7, 8, 9]),
                Col::Str("instruction", strs(&[Some("a"), Some("b"), None])),
                Col::Str("output", strs(&[Some("x"), None, Some("z")])),
                Col::Str("generator", strs(&[Some("m"), Some("m"), Some("m")])),
                Col::Str("text", strs(&[Some("t1"), Some("t2"), Some("t3")])),
            ],
            2,
        )
    }

    fn run(
        data: bytes::Bytes,
        limits: &Limits,
        opts: &ReadOptions,
    ) -> Result<Vec<Record>, InputError> {
        parse(Path::new("d.parquet"), data, limits, opts)
    }

    fn err(data: bytes::Bytes, limits: &Limits, opts: &ReadOptions) -> String {
        run(data, limits, opts).unwrap_err().to_string()
    }

    #[test]
    fn columns_by_name_over_row_groups() {
        let recs = run(sample(), &Limits::default(), &ReadOptions::default()).unwrap();
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                (
                    r.probe_id.as_deref(),
                    r.prompt.as_str(),
                    r.response.as_deref(),
                    r.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("7"), "a", Some("x"), 1),
                (Some("8"), "b", None, 2),
                (Some("9"), "", Some("z"), 3)
            ]
        );
        assert_eq!(recs[2].model.as_deref(), Some("m"));
        assert!(recs[0].metadata.is_empty());
    }

    #[test]
    fn columns_can_be_named() {
        let opts = ReadOptions {
            prompt_column: Some("TEXT".into()),
            response_column: Some("instruction".into()),
            ..ReadOptions::default()
        };
        let recs = run(sample(), &Limits::default(), &opts).unwrap();
        assert_eq!(
            (recs[0].prompt.as_str(), recs[0].response.as_deref()),
            ("t1", Some("a"))
        );
        let opts = ReadOptions {
            response_column: Some("nope".into()),
            ..ReadOptions::default()
        };
        assert_eq!(
            err(sample(), &Limits::default(), &opts),
            "d.parquet: no response column: expected a column named `nope` (--response-column), \
             found top-level columns [\"ID\", \"instruction\", \"output\", \"generator\", \"text\"]"
        );
        let opts = ReadOptions {
            prompt_column: Some("id".into()),
            ..ReadOptions::default()
        };
        assert_eq!(
            err(sample(), &Limits::default(), &opts),
            "d.parquet: prompt column `ID` holds INT64, expected strings"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let l = Limits {
            max_records: 2,
            ..Limits::default()
        };
        let o = ReadOptions::default();
        assert_eq!(
            err(sample(), &l, &o),
            "d.parquet: limit `max_records` (2) exceeded; raise it with the matching option if the file is trusted"
        );
        let l = Limits {
            max_line_bytes: 1,
            ..Limits::default()
        };
        assert!(err(sample(), &l, &o).starts_with("d.parquet:1: limit `max_line_bytes` (1)"));
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let o = ReadOptions::default();
        let l = Limits::default();
        let bad = write(
            &[
                Col::Str("prompt", vec![Some(b"ok"), Some(b"\xff")]),
                Col::Str("response", vec![Some(b"r"), Some(b"r")]),
            ],
            10,
        );
        assert_eq!(
            err(bad, &l, &o),
            "d.parquet:2: field `prompt`: expected UTF-8 text, found invalid UTF-8"
        );
        let full = sample();
        for cut in [4, 12, full.len() / 2, full.len() - 9] {
            let mut v = full[..cut].to_vec();
            v.extend_from_slice(&full[full.len() - 8..]);
            let e = err(bytes::Bytes::from(v), &l, &o);
            assert!(e.starts_with("d.parquet: malformed Parquet"), "{cut}: {e}");
        }
        let e = err(bytes::Bytes::from_static(b"PAR1"), &l, &o);
        assert!(e.starts_with("d.parquet: malformed Parquet"), "{e}");
    }

    #[test]
    fn other_codecs_are_named() {
        let e = codec_supported(Path::new("d.parquet"), "output", Compression::LZ4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.parquet: column `output` is compressed with LZ4; lineage reads uncompressed \
             and snappy Parquet only (re-save it with snappy, pyarrow's default)"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn damaged_files_never_panic(at in 0usize..2000, byte in 0u8..=255) {
            let mut v = sample().to_vec();
            let i = at % v.len();
            v[i] = byte;
            let _ = run(bytes::Bytes::from(v), &Limits::default(), &ReadOptions::default());
        }
    }
}
