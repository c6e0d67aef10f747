//! The `matrix` report as an HTML [`Document`]: summary, each model's
//! closest relative with its evidence (forest plot and table), the heatmap
//! of combined excess similarity in tree order, the dendrogram, and the
//! reproducibility appendix.

use super::charts::{self, ForestRow};
use super::compare::platform;
use super::{fmt_p, Block, Document, Section, Tone};
use crate::compare::analysis::{COMBINED, RANK_FAMILY};
use crate::matrix::schema::MatrixReport;

/// Largest matrix drawn as a heatmap (bigger ones: see matrix.csv).
pub const MAX_HEATMAP: usize = 120;

/// Render `matrix.html`.
pub fn render(r: &MatrixReport) -> anyhow::Result<Vec<u8>> {
    Ok(super::render(&document(r)?).into_bytes())
}

pub fn document(r: &MatrixReport) -> anyhow::Result<Document> {
    Ok(Document {
        title: format!("Lineage matrix: {} models", r.models.len()),
        subtitle: format!(
            "lineage {} ({}) · {} probes analysed · {} calibration-only reference model(s)",
            r.tool.version,
            r.tool.git_commit,
            r.alignment.probes_analysed,
            r.reference_panel.len()
        ),
        sections: vec![summary(r), teachers(r)?, tree(r)?, appendix(r)],
    })
}

fn summary(r: &MatrixReport) -> Section {
    let sig: Vec<String> = r
        .teachers
        .iter()
        .filter(|t| t.significant)
        .map(|t| format!("{} ~ {}", t.model, t.teacher.as_deref().unwrap_or("-")))
        .collect();
    let mut s = Section::new("summary", "Summary", false);
    s.push(Block::Verdict {
        label: format!("{} of {} models have a significant closest relative", sig.len(), r.teachers.len()),
        tone: if sig.is_empty() { Tone::Neutral } else { Tone::Positive },
        text: if sig.is_empty() {
            format!("At alpha = {}, no model is closer in style to another than the remaining models explain.", r.parameters.common.alpha)
        } else {
            format!("At alpha = {} (style family, Holm-adjusted): {}.", r.parameters.common.alpha, sig.join("; "))
        },
    });
    s.push(Block::Paragraph(format!(
        "Every pair of the {} models was compared on the {} probes they all answered; each similarity was calibrated against all the other models as the reference panel. A model's closest relative is the model it resembles most in writing style after that calibration. Similarity is symmetric: it shows who is related to whom, not who learned from whom; the direction must come from other knowledge (release dates, licences, declared training data).",
        r.models.len(),
        r.alignment.probes_analysed
    )));
    s
}

fn teachers(r: &MatrixReport) -> anyhow::Result<Section> {
    let mut s = Section::new("teachers", "Closest relative of each model", true);
    let rows: Vec<ForestRow> = r
        .teachers
        .iter()
        .filter_map(|t| {
            let f = t.families.get(RANK_FAMILY)?;
            Some(ForestRow {
                label: format!("{} ~ {}", t.model, t.teacher.as_deref().unwrap_or("-")),
                estimate: f.excess.estimate,
                low: f.excess.ci_low,
                high: f.excess.ci_high,
                highlight: t.significant,
            })
        })
        .collect();
    if !rows.is_empty() {
        s.push(Block::Figure {
            svg: charts::forest(&rows, "style excess similarity (95% CI)")?,
            caption: "Style excess similarity of each model to its closest relative, with bootstrap confidence intervals; red: significant after Holm adjustment.".into(),
        });
    }
    s.push(Block::Table {
        header: [
            "model",
            "closest relative",
            "runner-up",
            "style excess",
            "style p (Holm)",
            "combined excess",
            "significant",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .teachers
            .iter()
            .map(|t| {
                let fam = |k: &str| t.families.get(k);
                vec![
                    t.model.clone(),
                    t.teacher.clone().unwrap_or_default(),
                    t.runner_up.clone().unwrap_or_default(),
                    fam(RANK_FAMILY)
                        .map(|f| format!("{:+.4}", f.excess.estimate))
                        .unwrap_or_default(),
                    fam(RANK_FAMILY)
                        .map(|f| fmt_p(f.p_holm))
                        .unwrap_or_default(),
                    fam(COMBINED)
                        .map(|f| format!("{:+.3}", f.excess.estimate))
                        .unwrap_or_default(),
                    if t.significant { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    });
    Ok(s)
}

fn tree(r: &MatrixReport) -> anyhow::Result<Section> {
    let mut s = Section::new("tree", "Lineage tree and heatmap", true);
    let order: Vec<usize> = r
        .tree
        .order
        .iter()
        .filter_map(|n| r.models.iter().position(|m| m == n))
        .collect();
    s.push(Block::Figure {
        svg: charts::dendrogram(&r.models, &r.tree.merges, &order)?,
        caption: format!(
            "Dendrogram: {}. Models joined further left are more alike after calibration.",
            r.tree.method
        ),
    });
    if r.models.len() <= MAX_HEATMAP {
        if let Some(m) = r.excess.get(COMBINED) {
            s.push(Block::Figure {
                svg: charts::heatmap(&r.models, m, &order)?,
                caption: "Combined excess similarity of the row model to the column model, in tree order: red closer than the panel explains, blue further.".into(),
            });
        }
    } else {
        s.push(Block::Paragraph(format!(
            "The heatmap is drawn for at most {MAX_HEATMAP} models; see matrix.csv."
        )));
    }
    s.push(Block::Paragraph("Newick:".into()));
    s.push(Block::Code(r.tree.newick.clone()));
    Ok(s)
}

fn appendix(r: &MatrixReport) -> Section {
    let p = &r.parameters.common;
    let mut s = Section::new("appendix", "Appendix: reproducibility", true);
    let weights: Vec<String> = p
        .family_weights
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push(Block::KeyValues(vec![
        ("tool".into(), format!("{} {}", r.tool.name, r.tool.version)),
        ("git commit".into(), r.tool.git_commit.clone()),
        ("platform".into(), platform()),
        ("seed".into(), p.seed.to_string()),
        ("alpha".into(), p.alpha.to_string()),
        ("sign-flip resamples".into(), p.resamples.to_string()),
        ("bootstrap resamples".into(), p.bootstrap.to_string()),
        ("confidence".into(), p.confidence.to_string()),
        (
            "panel members tested per family".into(),
            r.parameters.rivals.to_string(),
        ),
        (
            "fingerprint version".into(),
            r.parameters.fingerprint_version.to_string(),
        ),
        (
            "format".into(),
            p.format.clone().unwrap_or_else(|| "sniffed".into()),
        ),
        ("extractors".into(), p.extractors.join(", ")),
        ("family weights".into(), weights.join(", ")),
        (
            "alignment".into(),
            format!(
                "by {}, {} probes analysed, {} excluded",
                r.alignment.by, r.alignment.probes_analysed, r.alignment.probes_excluded
            ),
        ),
    ]));
    s.push(Block::table(
        &["input", "role", "format", "probes", "SHA-256", "path"],
        r.inputs
            .iter()
            .map(|i| {
                vec![
                    i.name.clone(),
                    i.role.clone(),
                    i.format.clone(),
                    i.probes.to_string(),
                    i.sha256.clone(),
                    i.path.clone(),
                ]
            })
            .collect(),
    ));
    s
}
