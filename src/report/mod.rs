//! Report writers: one trait, one file per format, and a manager that
//! writes them all atomically (temporary file in the target directory, then
//! rename), so a failed or interrupted run never leaves a partial report.

pub mod atomic;
pub mod calibration;
pub mod html;
pub mod json;
pub mod markdown;
pub mod schema;
pub mod weights;

use std::path::{Path, PathBuf};

use schema::Report;

/// One output format of a report.
pub trait ReportWriter {
    /// File name inside the output directory.
    fn file_name(&self) -> &'static str;
    /// Render the whole report into bytes.
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>>;
}

/// The writers `compare` uses by default.
pub fn default_writers() -> Vec<Box<dyn ReportWriter>> {
    vec![Box::new(json::Json), Box::new(markdown::Markdown)]
}

/// Render every format first, then write each atomically into `dir`.
/// Rendering before writing means a rendering error leaves nothing behind.
pub fn write_all(
    dir: &Path,
    report: &Report,
    writers: &[Box<dyn ReportWriter>],
) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let rendered = writers
        .iter()
        .map(|w| Ok((w.file_name(), w.render(report)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    rendered
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            atomic::write(&path, &bytes)?;
            Ok(path)
        })
        .collect()
}
