//! Directories of datasets, as given to `--reference` and `matrix`: the
//! data files in the directory itself plus, for AlpacaEval's `results/`
//! tree (`results/<model>/model_outputs.json`), the `model_outputs.json`
//! of each subfolder. A model is named after its file, except that a
//! `model_outputs.json` is named after its folder.

use std::path::{Path, PathBuf};

/// Extensions of the files taken from a directory.
pub const DATA_EXTENSIONS: &[&str] = &["json", "jsonl", "csv", "parquet"];

/// The file AlpacaEval writes in each model's folder.
pub const ALPACA_EVAL_FILE: &str = "model_outputs.json";

/// A FastChat question file: never a model's answers, so never listed.
const QUESTION_FILE: &str = "question.jsonl";

/// The model a data file holds: the file stem, or for a
/// `model_outputs.json` the name of its folder.
pub fn model_name(path: &Path) -> Option<String> {
    if path.file_name().is_some_and(|n| n == ALPACA_EVAL_FILE) {
        let dir = match path.parent().and_then(Path::file_name) {
            Some(d) => Some(d.to_os_string()),
            // `model_outputs.json` given from inside its folder.
            None => std::fs::canonicalize(path)
                .ok()
                .and_then(|p| p.parent()?.file_name().map(|d| d.to_os_string())),
        };
        if let Some(d) = dir {
            return Some(d.to_string_lossy().into_owned());
        }
    }
    path.file_stem().map(|s| s.to_string_lossy().into_owned())
}

/// Every dataset under `dir`, sorted by path so that the order (and so any
/// report) does not depend on the file system: its data files, and the
/// `model_outputs.json` of each subfolder that has one.
pub fn dataset_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    // Unreadable entries are skipped, as a plain listing would.
    for entry in std::fs::read_dir(dir)?.flatten() {
        let p = entry.path();
        if p.is_dir() {
            let inner = p.join(ALPACA_EVAL_FILE);
            if inner.is_file() {
                files.push(inner);
            }
        } else if p.is_file() && is_data_file(&p) {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

fn is_data_file(p: &Path) -> bool {
    let ext = p.extension().and_then(|e| e.to_str());
    ext.is_some_and(|e| DATA_EXTENSIONS.contains(&e))
        && p.file_name().is_some_and(|n| n != QUESTION_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpaca_eval_trees_are_walked_and_named_by_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for m in ["vicuna-13b", "alpaca-7b"] {
            std::fs::create_dir(root.join(m)).unwrap();
            std::fs::write(root.join(m).join(ALPACA_EVAL_FILE), "[]").unwrap();
        }
        std::fs::create_dir(root.join("empty")).unwrap();
        std::fs::write(root.join("z.jsonl"), "").unwrap();
        std::fs::write(root.join("question.jsonl"), "").unwrap();
        std::fs::write(root.join("notes.txt"), "").unwrap();
        let files = dataset_files(root).unwrap();
        let names: Vec<String> = files.iter().filter_map(|p| model_name(p)).collect();
        assert_eq!(names, ["alpaca-7b", "vicuna-13b", "z"]);
        assert_eq!(model_name(Path::new("d/m.parquet")).as_deref(), Some("m"));
    }
}
