//! CSV with a header row (RFC 4180 quoting, as read by the `csv` crate),
//! such as the XSTest v2 completion files. Columns are matched by name,
//! case-insensitively; the first candidate present wins:
//!
//! | field      | columns                                         |
//! |------------|-------------------------------------------------|
//! | prompt     | `prompt`, `instruction`, `question`, `input`    |
//! | response   | `response`, `completion`, `output`, `answer`    |
//! | probe_id   | `probe_id`, `id`                                |
//! | category   | `category`, `type`                              |
//! | model      | `model`, `generator`                            |
//!
//! Every other column (e.g. XSTest's `final_label`) goes to metadata.

use std::path::Path;

use csv::{ReaderBuilder, StringRecord};

use super::jsonutil::{check_count, check_len, limit_error, non_empty};
use super::{InputError, Limits, ReadOptions, Record};

const PROMPT: &[&str] = &["prompt", "instruction", "question", "input"];
const RESPONSE: &[&str] = &["response", "completion", "output", "answer"];
const ID: &[&str] = &["probe_id", "id"];
const CATEGORY: &[&str] = &["category", "type"];
const MODEL: &[&str] = &["model", "generator"];

#[cfg(test)]
pub fn parse(path: &Path, text: &str, limits: &Limits) -> Result<Vec<Record>, InputError> {
    parse_named(path, text, limits, &ReadOptions::default())
}

/// [`parse`] with the prompt and response columns named by
/// `--prompt-column` and `--response-column` when given.
pub fn parse_named(
    path: &Path,
    text: &str,
    limits: &Limits,
    opts: &ReadOptions,
) -> Result<Vec<Record>, InputError> {
    if text.trim().is_empty() {
        return non_empty(path, Vec::new());
    }
    let mut lines = LineCursor::default();
    let mut rdr = ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| csv_error(path, text, &e))?
        .clone();
    let header_line = lines.line_at(text, headers.position().map_or(0, |p| p.byte()));
    check_len(path, header_line, to_usize(rdr.position().byte()), limits)?;
    let cols = Columns::find(path, header_line, &headers, opts)?;
    let mut out = Vec::new();
    let mut row = StringRecord::new();
    let mut metadata_bytes = 0usize;
    loop {
        let start = rdr.position().byte();
        if !rdr
            .read_record(&mut row)
            .map_err(|e| csv_error(path, text, &e))?
        {
            break;
        }
        let line = lines.line_at(text, start);
        // A quoted field may span many short lines; cap the whole record.
        let len = rdr.position().byte().saturating_sub(start);
        check_len(path, line, to_usize(len), limits)?;
        check_count(path, line, out.len(), limits)?;
        let rec = cols.record(&headers, &row, line);
        // Every row repeats the header names in its metadata: count them,
        // so a long header over many tiny rows cannot exhaust memory.
        let kept = rec
            .metadata
            .iter()
            .map(|(k, v)| k.len().saturating_add(v.len()));
        metadata_bytes = kept.fold(metadata_bytes, usize::saturating_add);
        if metadata_bytes > limits.max_metadata_bytes {
            return Err(limit_error(
                path,
                Some(line),
                "max_metadata_bytes",
                limits.max_metadata_bytes,
            ));
        }
        out.push(rec);
        if rdr.position().byte() >= text.len() as u64
            && unterminated_quote(text.get(to_usize(start)..).unwrap_or_default())
        {
            // The csv crate ends a quoted field at end of input without
            // complaint, so a truncated file would load with its last
            // answer silently cut short.
            return Err(InputError::Csv {
                path: path.to_path_buf(),
                line,
                message: "unterminated quoted field at end of file (truncated?)".into(),
            });
        }
    }
    non_empty(path, out)
}

/// Whether the last record, `tail`, ends inside a quoted field. Quotes open
/// a quoted field only at its start; inside one, `""` is an escaped quote.
fn unterminated_quote(tail: &str) -> bool {
    let (mut quoted, mut at_start) = (false, true);
    let mut bytes = tail.bytes().peekable();
    while let Some(b) = bytes.next() {
        match (quoted, b) {
            (true, b'"') if bytes.peek() == Some(&b'"') => {
                bytes.next();
            }
            (true, b'"') => quoted = false,
            (true, _) => {}
            (false, b'"') if at_start => quoted = true,
            _ => {}
        }
        at_start = !quoted && matches!(b, b',' | b'\n' | b'\r');
    }
    quoted
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// File lines of record starts. `csv::Position` is where the reader began
/// scanning, i.e. before the previous record's `\n` (with CRLF) and any
/// blank lines, so its own `line()` can be one or more short.
#[derive(Default)]
struct LineCursor {
    offset: usize,
    line: u64,
}

impl LineCursor {
    /// Line of the first byte at or after `byte` that is not a line break;
    /// `byte` must not go backwards between calls.
    fn line_at(&mut self, text: &str, byte: u64) -> u64 {
        let bytes = text.as_bytes();
        let from = to_usize(byte).clamp(self.offset, bytes.len());
        let skip = bytes[from..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let to = from.saturating_add(skip);
        let newlines = bytes[self.offset..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u64::try_from(newlines).unwrap_or(u64::MAX));
        self.offset = to;
        self.line.saturating_add(1)
    }
}

fn csv_error(path: &Path, text: &str, e: &csv::Error) -> InputError {
    let byte = e.position().map_or(0, |p| p.byte());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, the header has {expected_len}"),
        _ => e.to_string(),
    };
    InputError::Csv {
        path: path.to_path_buf(),
        line: LineCursor::default().line_at(text, byte),
        message,
    }
}

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
        line: u64,
        headers: &StringRecord,
        opts: &ReadOptions,
    ) -> Result<Self, InputError> {
        let missing = |field: &str, expected| InputError::Field {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            expected,
            found: format!("columns {:?}", headers.iter().collect::<Vec<_>>()),
        };
        let named = |given: &Option<String>, field: &str, expected| {
            let g = given.as_deref().unwrap_or_default();
            column(headers, &[g]).ok_or_else(|| missing(field, expected))
        };
        let prompt = match &opts.prompt_column {
            g @ Some(_) => named(g, "prompt column", "the column named by --prompt-column")?,
            None => column(headers, PROMPT).ok_or_else(|| {
                missing(
                    "prompt column",
                    "a column named prompt, instruction, question or input",
                )
            })?,
        };
        let response = match &opts.response_column {
            g @ Some(_) => named(
                g,
                "response column",
                "the column named by --response-column",
            )?,
            None => column(headers, RESPONSE).ok_or_else(|| {
                missing(
                    "response column",
                    "a column named response, completion, output or answer",
                )
            })?,
        };
        Ok(Columns {
            prompt,
            response,
            id: column(headers, ID),
            category: column(headers, CATEGORY),
            model: column(headers, MODEL),
        })
    }

    fn record(&self, headers: &StringRecord, row: &StringRecord, line: u64) -> Record {
        let cell = |i: usize| row.get(i).unwrap_or_default().to_string();
        // An empty optional cell means "not given", not an empty value.
        let opt = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty());
        let used = [
            Some(self.prompt),
            Some(self.response),
            self.id,
            self.category,
            self.model,
        ];
        let mut metadata = std::collections::BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            if !used.contains(&Some(i)) {
                metadata.entry(h.to_string()).or_insert_with(|| cell(i));
            }
        }
        Record {
            probe_id: opt(self.id),
            prompt: cell(self.prompt),
            response: Some(cell(self.response)),
            model: opt(self.model),
            category: opt(self.category),
            metadata,
            line,
            ..Record::default()
        }
    }
}

fn column(headers: &StringRecord, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Record>, InputError> {
        parse(Path::new("x.csv"), text, &Limits::default())
    }

    fn err(text: &str) -> String {
        run(text).unwrap_err().to_string()
    }

    #[test]
    fn maps_columns_and_keeps_the_rest() {
        let text = "ID,Type,Question,Answer,label,Model\nq1,safe,Is the sky blue?,Yes.,ok,\nq2,,Why?,,bad,m9\n";
        let recs = run(text).unwrap();
        assert_eq!(recs.len(), 2);
        let r = &recs[0];
        assert_eq!(
            (r.probe_id.as_deref(), r.category.as_deref()),
            (Some("q1"), Some("safe"))
        );
        assert_eq!(
            (r.prompt.as_str(), r.response.as_deref()),
            ("Is the sky blue?", Some("Yes."))
        );
        assert_eq!((r.model.as_deref(), r.line), (None, 2));
        assert_eq!(r.metadata.len(), 1);
        assert_eq!(r.metadata["label"], "ok");
        assert_eq!(
            (recs[1].category.as_deref(), recs[1].response.as_deref()),
            (None, Some(""))
        );
        assert_eq!(recs[1].model.as_deref(), Some("m9"));
    }

    #[test]
    fn first_candidate_column_wins() {
        let recs = run("input,prompt,output,response\na,b,c,d\n").unwrap();
        assert_eq!(
            (recs[0].prompt.as_str(), recs[0].response.as_deref()),
            ("b", Some("d"))
        );
        assert_eq!(recs[0].metadata["input"], "a");
    }

    #[test]
    fn multiline_quoted_field_and_crlf() {
        let text = "prompt,completion\r\n\"p1\",\"line one\r\n\r\nline \"\"two\"\"\"\r\np2,r2\r\n";
        let recs = run(text).unwrap();
        assert_eq!(
            recs[0].response.as_deref(),
            Some("line one\r\n\r\nline \"two\"")
        );
        assert_eq!((recs[0].line, recs[1].line), (2, 5));
        assert_eq!(recs[1].response.as_deref(), Some("r2"));
        let recs = run("\n\nprompt,response\n\na,b\n").unwrap();
        assert_eq!(recs[0].line, 5);
        let e = err("prompt,response\r\n\r\na,b\r\n\r\nc\r\n");
        assert!(e.starts_with("x.csv:5: malformed CSV"), "{e}");
    }

    #[test]
    fn missing_columns_are_named() {
        let e = err("id,text,completion\n1,a,b\n");
        assert!(
            e.starts_with("x.csv:1: field `prompt column`: expected a column named prompt"),
            "{e}"
        );
        assert!(
            e.contains(r#"found columns ["id", "text", "completion"]"#),
            "{e}"
        );
        assert!(err("prompt,label\na,b\n").contains("`response column`"));
    }

    #[test]
    fn columns_can_be_named() {
        let opts = ReadOptions {
            prompt_column: Some("Text".into()),
            response_column: Some("prompt".into()),
            ..ReadOptions::default()
        };
        let p = Path::new("x.csv");
        let l = Limits::default();
        let recs = parse_named(p, "prompt,text\na,b\n", &l, &opts).unwrap();
        assert_eq!(
            (recs[0].prompt.as_str(), recs[0].response.as_deref()),
            ("b", Some("a"))
        );
        let e = parse_named(p, "prompt,x\na,b\n", &l, &opts).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "x.csv:1: field `prompt column`: expected the column named by --prompt-column"
            ),
            "{e}"
        );
    }

    #[test]
    fn ragged_row_is_malformed() {
        let e = err("prompt,response\na,b\nc\n");
        assert_eq!(
            e,
            "x.csv:3: malformed CSV: row has 1 fields, the header has 2"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_line_bytes: 30,
            max_records: 1,
            ..Limits::default()
        };
        let p = Path::new("x.csv");
        let run = |t: &str| parse(p, t, &limits).unwrap_err().to_string();
        let long = format!(
            "prompt,response\na,\"{}\n{}\"\n",
            "x".repeat(20),
            "y".repeat(20)
        );
        assert!(run(&long).starts_with("x.csv:2: limit `max_line_bytes` (30)"));
        assert!(run("prompt,response\na,b\nc,d\n").starts_with("x.csv:3: limit `max_records` (1)"));
        let wide = format!("prompt,response,{}\n", "z".repeat(30));
        assert!(run(&wide).starts_with("x.csv:1: limit `max_line_bytes`"));
    }

    /// Review finding: a long header name over many three-byte rows made
    /// every row hold a copy of the name (memory many times the file).
    #[test]
    fn header_names_repeated_per_row_are_capped() {
        let limits = Limits {
            max_metadata_bytes: 10_000,
            ..Limits::default()
        };
        let mut text = format!("prompt,response,{}\n", "n".repeat(1000));
        text.push_str(&"a,b,\n".repeat(20));
        let e = parse(Path::new("x.csv"), &text, &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv:12: limit `max_metadata_bytes` (10000) exceeded; \
             raise it with the matching option if the file is trusted"
        );
        let small = "prompt,response,note\na,b,c\n";
        assert_eq!(parse(Path::new("x.csv"), small, &limits).unwrap().len(), 1);
    }

    /// Review finding: a file cut inside a quoted field loaded, its last
    /// response silently shortened.
    #[test]
    fn truncated_quoted_field_is_an_error() {
        assert_eq!(
            err("prompt,response\na,b\nc,\"d\ne"),
            "x.csv:3: malformed CSV: unterminated quoted field at end of file (truncated?)"
        );
        let ok = run("prompt,response\na,\"b \"\"q\"\" \nc\"\r\nx\"y,z\"\n").unwrap();
        assert_eq!(ok[0].response.as_deref(), Some("b \"q\" \nc"));
        assert_eq!(ok[1].prompt, "x\"y");
        assert!(unterminated_quote("a,\"b\"\"\n"));
        assert!(!unterminated_quote("a,\"b\"\"\"\n"));
    }

    #[test]
    fn empty_inputs_are_errors() {
        assert_eq!(err(""), "x.csv: no records found");
        assert_eq!(err("prompt,response\n"), "x.csv: no records found");
    }
}
