//! Known cases: which (student, candidate) pairs are distillation (H1),
//! which are not (H2), and which are related otherwise and left out.
//!
//! Two label formats are read, each a TSV with a header:
//! - `student<TAB>family<TAB>relation` (the format of the AlpacaEval
//!   labels): `family` names the teacher family, `none` for a student
//!   trained on human data or its own lab's feedback; `relation`
//!   `same-vendor` marks a relative of that family's candidate that was
//!   not distilled from it;
//! - `name<TAB>role<TAB>teacher` (`MANIFEST.tsv` of `lineage simulate`):
//!   `student` rows name their teacher, `independent` rows are negatives,
//!   other rows are not students.
//!
//! A candidate's family comes from a `model<TAB>family` file, or is its own
//! name. An alias (`openai-mixed=openai-gpt-3.5,openai-gpt-4`) lets a
//! label match several families.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::input::InputError;

/// One labelled student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub name: String,
    /// Teacher family, or `None` for a negative.
    pub family: Option<String>,
    pub same_vendor: bool,
    /// The labels file it came from (its data file sits beside it).
    pub labels: PathBuf,
}

/// The label of one (student, candidate) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairLabel {
    H1,
    H2,
    Related,
}

impl PairLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            PairLabel::H1 => "h1",
            PairLabel::H2 => "h2",
            PairLabel::Related => "related",
        }
    }
}

/// How labels map to candidates.
#[derive(Debug, Clone, Default)]
pub struct Families {
    /// Candidate name → family (absent: the name itself).
    pub of: BTreeMap<String, String>,
    /// Label family → the candidate families it matches.
    pub aliases: BTreeMap<String, Vec<String>>,
    /// (student, candidate) pairs declared related.
    pub related: Vec<(String, String)>,
    /// Treat a student of one family as related to (not unrelated from)
    /// every other family of the same vendor, the text before the first
    /// `-` of the family name (`openai-gpt-3.5` and `openai-gpt-4`).
    pub vendor_related: bool,
}

impl Families {
    fn family<'a>(&'a self, candidate: &'a str) -> &'a str {
        self.of.get(candidate).map_or(candidate, String::as_str)
    }

    /// The label of the pair (`s`, `candidate`).
    pub fn label(&self, s: &Student, candidate: &str) -> PairLabel {
        if self
            .related
            .iter()
            .any(|(a, b)| *a == s.name && *b == candidate)
        {
            return PairLabel::Related;
        }
        let Some(f) = &s.family else {
            return PairLabel::H2;
        };
        let cf = self.family(candidate);
        let matches = f == cf
            || self
                .aliases
                .get(f)
                .is_some_and(|v| v.iter().any(|a| a == cf));
        let vendor = |x: &str| x.split('-').next().unwrap_or(x).to_string();
        let siblings = self.vendor_related
            && std::iter::once(f.as_str())
                .chain(
                    self.aliases
                        .get(f)
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                )
                .any(|g| vendor(g) == vendor(cf));
        match (matches, s.same_vendor) {
            (true, true) => PairLabel::Related,
            (true, false) => PairLabel::H1,
            (false, _) if siblings => PairLabel::Related,
            (false, _) => PairLabel::H2,
        }
    }
}

fn field_error(
    path: &Path,
    line: u64,
    field: &str,
    expected: &'static str,
    found: &str,
) -> InputError {
    InputError::Field {
        path: path.to_path_buf(),
        line,
        field: field.to_string(),
        expected,
        found: found.to_string(),
    }
}

/// Read a labels file in either format.
pub fn read(path: &Path) -> Result<Vec<Student>, InputError> {
    let text = read_small(path)?;
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l.trim_end()).unwrap_or_default();
    let manifest = header.starts_with("name\trole");
    if !manifest && !header.starts_with("student\tfamily") {
        return Err(field_error(
            path,
            1,
            "header",
            "`student<TAB>family<TAB>relation` or `name<TAB>role<TAB>teacher`",
            header,
        ));
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let n = i as u64 + 1;
        if cols.len() < 3 || cols[0].is_empty() {
            return Err(field_error(
                path,
                n,
                "row",
                "three tab-separated columns",
                line,
            ));
        }
        let (name, family, same_vendor) = if manifest {
            match cols[1] {
                "student" => (cols[0], Some(cols[2].to_string()), false),
                "independent" => (cols[0], None, false),
                _ => continue,
            }
        } else {
            let family = (cols[1] != "none").then(|| cols[1].to_string());
            (cols[0], family, cols[2] == "same-vendor")
        };
        out.push(Student {
            name: name.to_string(),
            family,
            same_vendor,
            labels: path.to_path_buf(),
        });
    }
    if out.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

/// Read a `model<TAB>family` file.
pub fn read_families(path: &Path) -> Result<BTreeMap<String, String>, InputError> {
    let text = read_small(path)?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once('\t') {
            Some((m, f)) if !m.is_empty() && !f.is_empty() => {
                out.insert(m.to_string(), f.trim().to_string());
            }
            _ => {
                return Err(field_error(
                    path,
                    i as u64 + 1,
                    "row",
                    "`model<TAB>family`",
                    line,
                ))
            }
        }
    }
    Ok(out)
}

/// The data file of a labelled student: `<name>.json`, `.jsonl` or `.csv`
/// beside its labels file.
pub fn data_file(s: &Student) -> Result<PathBuf, InputError> {
    let dir = s.labels.parent().unwrap_or(Path::new("."));
    for ext in ["json", "jsonl", "csv"] {
        let p = dir.join(format!("{}.{ext}", s.name));
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(field_error(
        &s.labels,
        0,
        "student",
        "a data file <student>.json, .jsonl or .csv beside the labels",
        &s.name,
    ))
}

/// Labels files are small; a large one is hostile.
fn read_small(path: &Path) -> Result<String, InputError> {
    const MAX: u64 = 4 << 20;
    let bytes = crate::input::read_at_most(path, MAX)
        .map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .ok_or(InputError::Limit {
            path: path.to_path_buf(),
            line: None,
            limit: "max_labels_bytes",
            value: MAX,
        })?;
    String::from_utf8(bytes).map_err(|_| InputError::Utf8 {
        path: path.to_path_buf(),
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(family: Option<&str>, same_vendor: bool) -> Student {
        Student {
            name: "s".into(),
            family: family.map(str::to_string),
            same_vendor,
            labels: PathBuf::from("labels.tsv"),
        }
    }

    #[test]
    fn pairs_are_labelled_by_family_alias_and_vendor() {
        let mut f = Families::default();
        f.of.insert("gpt4".into(), "openai-gpt-4".into());
        f.of.insert("claude-2".into(), "anthropic-claude-2".into());
        f.aliases
            .insert("openai-mixed".into(), vec!["openai-gpt-4".into()]);
        f.related.push(("s".into(), "llama".into()));
        assert_eq!(
            f.label(&student(Some("openai-gpt-4"), false), "gpt4"),
            PairLabel::H1
        );
        assert_eq!(
            f.label(&student(Some("openai-mixed"), false), "gpt4"),
            PairLabel::H1
        );
        assert_eq!(
            f.label(&student(Some("openai-gpt-4"), false), "claude-2"),
            PairLabel::H2
        );
        assert_eq!(
            f.label(&student(Some("anthropic-claude-2"), true), "claude-2"),
            PairLabel::Related
        );
        assert_eq!(f.label(&student(None, false), "gpt4"), PairLabel::H2);
        assert_eq!(f.label(&student(None, false), "llama"), PairLabel::Related);
        f.of.insert("gpt35".into(), "openai-gpt-3.5".into());
        assert_eq!(
            f.label(&student(Some("openai-gpt-4"), false), "gpt35"),
            PairLabel::H2
        );
        f.vendor_related = true;
        assert_eq!(
            f.label(&student(Some("openai-gpt-4"), false), "gpt35"),
            PairLabel::Related
        );
        assert_eq!(
            f.label(&student(Some("openai-gpt-4"), false), "claude-2"),
            PairLabel::H2
        );
    }

    #[test]
    fn both_formats_read() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("labels.tsv");
        std::fs::write(
            &a,
            "student\tfamily\trelation\nx\topenai-gpt-4\tdistilled-sft\ny\tnone\thuman-data\n",
        )
        .unwrap();
        let s = read(&a).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].family, None);
        let b = dir.path().join("MANIFEST.tsv");
        std::fs::write(
            &b,
            "name\trole\tteacher\nt\tteacher\t-\ns1\tstudent\tt\ni1\tindependent\t-\n",
        )
        .unwrap();
        let s = read(&b).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].family.as_deref(), Some("t"));
        let bad = dir.path().join("bad.tsv");
        std::fs::write(&bad, "who\twhat\n").unwrap();
        assert!(read(&bad).unwrap_err().to_string().contains("bad.tsv:1"));
    }
}
