//! The HTML page of a `lineage weights` report: verdict and plain-language
//! note first, then the rule, the inputs with their SHA-256, the per-tensor
//! and per-layer details (the Markdown report verbatim) and the appendix.

use super::{Block, Document, Section, Tone};
use crate::report::weights::markdown;
use crate::weights::report::WeightsReport;
use crate::weights::verdict::Label;

/// Build the page for `r`.
pub fn document(r: &WeightsReport) -> Document {
    let v = &r.verdict;
    let tone = match v.label {
        Label::Unrelated => Tone::Neutral,
        Label::NotComparable => Tone::Caution,
        _ => Tone::Positive,
    };
    let p = v
        .p_value
        .map_or("no calibrated test applies".to_string(), |p| {
            format!("p = {p:.3e}")
        });
    let mut verdict = Section::new("verdict", "Verdict", false);
    verdict.blocks.push(Block::Verdict {
        label: v.label.as_str().to_string(),
        tone,
        text: format!("{} ({p})", r.note),
    });
    verdict
        .blocks
        .push(Block::Paragraph(format!("Decision rule: {}", v.rule)));
    let mut inputs = Section::new("inputs", "Inputs", false);
    inputs.blocks.push(Block::table(
        &["role", "path", "kind", "format", "architecture", "SHA-256"],
        r.inputs
            .iter()
            .map(|i| {
                vec![
                    i.role.clone(),
                    i.path.clone(),
                    i.kind.clone(),
                    i.format.clone(),
                    i.architecture.clone(),
                    i.sha256.clone().unwrap_or_else(|| "–".into()),
                ]
            })
            .collect(),
    ));
    let mut details = Section::new("details", "Details (as in report.md)", true);
    details.blocks.push(Block::Code(markdown(r)));
    let mut appendix = Section::new("appendix", "Appendix: tool and parameters", true);
    appendix.blocks.push(Block::KeyValues(vec![
        ("tool".into(), format!("{} {}", r.tool.name, r.tool.version)),
        ("git commit".into(), r.tool.git_commit.clone()),
        ("platform".into(), super::compare::platform()),
        ("seed".into(), r.parameters.seed.to_string()),
        ("alpha".into(), r.parameters.alpha.to_string()),
        (
            "singular values per matrix".into(),
            r.parameters.top_k.to_string(),
        ),
    ]));
    Document {
        title: "lineage weights report".into(),
        subtitle: format!("{} vs {}", input_path(r, "a"), input_path(r, "b")),
        sections: vec![verdict, inputs, details, appendix],
    }
}

fn input_path<'a>(r: &'a WeightsReport, role: &str) -> &'a str {
    r.inputs
        .iter()
        .find(|i| i.role == role)
        .map_or("?", |i| i.path.as_str())
}
