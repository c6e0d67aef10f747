//! The `compare` report as an HTML [`Document`]: verdict and summary, a
//! forest plot of every family's excess similarity, the observed statistic
//! against the panel's null, the per-probe scatter, exhibits and the
//! reproducibility appendix.

use super::charts::{self, ForestRow};
use super::{fmt_p, Block, Document, Section, Tone};
use crate::compare::analysis::{COMBINED, RANK_FAMILY};
use crate::compare::detail::Detail;
use crate::report::schema::{Parameters, Report, Tool};
use crate::report::ReportWriter;

/// Writes `report.html`; `detail` feeds the per-probe charts.
pub struct CompareHtml {
    pub detail: Option<Detail>,
}

impl ReportWriter for CompareHtml {
    fn file_name(&self) -> &'static str {
        "report.html"
    }
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        Ok(super::render(&document(report, self.detail.as_ref())?).into_bytes())
    }
}

/// Build the document.
pub fn document(r: &Report, detail: Option<&Detail>) -> anyhow::Result<Document> {
    let mut sections = vec![verdict(r), evidence(r)?];
    if let Some(d) = detail.filter(|d| !d.families.is_empty()) {
        sections.push(null_section(r, d)?);
        sections.push(scatter_section(d)?);
    }
    sections.push(exhibits(r));
    sections.push(appendix(&r.tool, &r.parameters, r));
    Ok(Document {
        title: format!("Lineage report: {}", r.student),
        subtitle: format!(
            "lineage {} ({}) · {} probes analysed · {} candidate(s) · {} reference model(s)",
            r.tool.version,
            r.tool.git_commit,
            r.alignment.probes_analysed,
            r.candidates.len(),
            r.reference_panel.len()
        ),
        sections,
    })
}

fn verdict(r: &Report) -> Section {
    let v = &r.verdict;
    let (label, tone) = match (v.label.as_str(), &v.teacher) {
        ("distilled-from", Some(t)) => (format!("distilled-from {t}"), Tone::Positive),
        ("no-evidence", _) => ("no-evidence".to_string(), Tone::Neutral),
        (l, _) => (l.to_string(), Tone::Caution),
    };
    let mut s = Section::new("summary", "Verdict and summary", false);
    s.push(Block::Verdict {
        label,
        tone,
        text: v.reason.clone(),
    });
    s.push(Block::Paragraph(summary(r)));
    let calibrated = r.candidates.iter().any(|c| c.calibrated.is_some());
    s.push(Block::Paragraph(if calibrated {
        meaning_calibrated(&v.label).into()
    } else {
        meaning(&v.label).into()
    }));
    if calibrated {
        s.push(Block::Paragraph(
            "Calibrated likelihood ratios, one per candidate (LR = how much more probable the measured scores are if the student was trained on the candidate's outputs than if it was not):".into(),
        ));
        s.push(Block::Table {
            header: [
                "rank",
                "candidate",
                "log10 LR",
                "LR",
                "in words",
                "bounds (log10)",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .candidates
                .iter()
                .filter_map(|c| c.calibrated.as_ref().map(|e| (c, e)))
                .map(|(c, e)| {
                    vec![
                        c.rank.to_string(),
                        c.name.clone(),
                        format!("{:+.2}", e.log10_lr),
                        format!("{:.3}", 10f64.powf(e.log10_lr)),
                        e.verbal.clone(),
                        format!("[{:.2}, {:.2}]", e.log10_lr_bounds[0], e.log10_lr_bounds[1]),
                    ]
                })
                .collect(),
        });
    }
    s
}

fn meaning_calibrated(label: &str) -> &'static str {
    match label {
        "distilled-from" => "What this means: the measured similarities are at least ten times more probable if the student was trained on this candidate's outputs than if it was not, according to a calibration fitted and validated on models of known origin. An LR is not a probability of distillation: it says how much this evidence should change the odds held before it (see the methodology).",
        "no-evidence" => "What this means: no candidate reaches the likelihood ratio the calibrated rule requires. This is absence of sufficient evidence, not proof of independence.",
        _ => "What this means: the data do not allow a verdict either way (see the reason above).",
    }
}

/// Plain-language summary built only from the report's numbers.
fn summary(r: &Report) -> String {
    let mut out = format!(
        "The responses of {} to {} probes were compared with those of {} candidate teacher(s), and each similarity was calibrated against {} reference model(s) that answered the same probes.",
        r.student,
        r.alignment.probes_analysed,
        r.candidates.len(),
        r.reference_panel.len()
    );
    if let Some(top) = r.candidates.first() {
        if let Some(f) = top.families.get(RANK_FAMILY) {
            out.push_str(&format!(
                " The closest candidate in writing style is {}: its style excess similarity is {:+.4} (95% CI {:+.4} to {:+.4}), p (Holm) = {}.",
                top.name,
                f.excess.estimate,
                f.excess.ci_low,
                f.excess.ci_high,
                fmt_p(f.p_holm)
            ));
        }
    }
    if let Some(rk) = &r.ranking {
        out.push_str(&format!(
            " Its lead over {} is {:+.4} (p = {}{}).",
            rk.second,
            rk.difference.estimate,
            fmt_p(rk.p_value),
            if rk.significant {
                ", significant"
            } else {
                ", not significant"
            }
        ));
    }
    out
}

fn meaning(label: &str) -> &'static str {
    match label {
        "distilled-from" => "What this means: the student writes more like this candidate than like any reference model, beyond what chance over probes and the spread between unrelated models explain. It is evidence of a training relationship (for example distillation on the candidate's outputs), not proof of how it arose; a shared base model or shared data can contribute (see the methodology).",
        "no-evidence" => "What this means: no candidate stands out from the reference panel at the chosen level. This is absence of evidence, not proof of independence.",
        _ => "What this means: the data do not allow a verdict either way (see the reason above).",
    }
}

fn evidence(r: &Report) -> anyhow::Result<Section> {
    let mut s = Section::new("evidence", "Evidence by family", true);
    if let Some(top) = r.candidates.first() {
        let rows: Vec<ForestRow> = top
            .families
            .iter()
            .filter(|(name, _)| name.as_str() != COMBINED)
            .map(|(name, f)| ForestRow {
                label: name.clone(),
                estimate: f.excess.estimate,
                low: f.excess.ci_low,
                high: f.excess.ci_high,
                highlight: name == RANK_FAMILY,
            })
            .collect();
        s.push(Block::Figure {
            svg: charts::forest(&rows, "excess similarity (95% CI)")?,
            caption: format!(
                "Forest plot: excess similarity of {} to {} in every evidence family, with its {:.0}% bootstrap confidence interval. Right of zero: closer than the reference panel explains. The deciding family ({RANK_FAMILY}) is drawn in red. The combined score is on a standardised scale and is listed in the table only.",
                r.student, top.name, 100.0 * r.parameters.confidence
            ),
        });
        s.push(Block::Table {
            header: [
                "family",
                "similarity",
                "panel",
                "excess",
                "CI",
                "p",
                "p (Holm)",
                "hardest reference",
            ]
            .map(String::from)
            .to_vec(),
            rows: top
                .families
                .iter()
                .map(|(name, f)| {
                    vec![
                        name.clone(),
                        format!("{:.4}", f.similarity),
                        format!("{:.4}", f.panel_similarity),
                        format!("{:+.4}", f.excess.estimate),
                        format!("[{:+.4}, {:+.4}]", f.excess.ci_low, f.excess.ci_high),
                        fmt_p(f.p_value),
                        fmt_p(f.p_holm),
                        f.hardest_reference.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        });
    }
    s.push(Block::Paragraph(
        "All candidates in rank order, with their style excess similarity:".into(),
    ));
    s.push(Block::Table {
        header: [
            "rank",
            "candidate",
            "style excess",
            "CI",
            "p (Holm)",
            "meets the rule",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .candidates
            .iter()
            .map(|c| {
                vec![
                    c.rank.to_string(),
                    c.name.clone(),
                    format!("{:+.4}", c.excess_similarity.estimate),
                    format!(
                        "[{:+.4}, {:+.4}]",
                        c.excess_similarity.ci_low, c.excess_similarity.ci_high
                    ),
                    fmt_p(c.p_value),
                    if c.significant { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    });
    Ok(s)
}

fn null_section(r: &Report, d: &Detail) -> anyhow::Result<Section> {
    let mut s = Section::new("null", "Observed statistic against the null", true);
    let cand = d.candidate.clone().unwrap_or_default();
    for f in d.families.iter().take(2) {
        s.push(Block::Figure {
            svg: charts::null_strip(&f.null_excess, f.observed, &cand, &format!("{} excess similarity", f.family))?,
            caption: format!(
                "{}: blue dots are the excess similarity of each of the {} reference models to {} (each calibrated against the other references): the spread expected of unrelated models. The red line is {}.",
                f.family,
                f.null_excess.len(),
                r.student,
                cand
            ),
        });
    }
    Ok(s)
}

fn scatter_section(d: &Detail) -> anyhow::Result<Section> {
    let mut s = Section::new("probes", "Per-probe similarity", false);
    let cand = d.candidate.clone().unwrap_or_default();
    if let Some(f) = d.families.first() {
        let above = f.scatter.iter().filter(|p| p.1 > p.0).count();
        s.push(Block::Figure {
            svg: charts::scatter(&f.scatter, "student–panel similarity (mean)", &format!("student–{cand} similarity"))?,
            caption: format!(
                "{}: one dot per probe. Above the diagonal (red, {} of {} probes) the student is more similar to {} than to the average reference model.",
                f.family,
                above,
                f.scatter.len(),
                cand
            ),
        });
    }
    Ok(s)
}

fn exhibits(r: &Report) -> Section {
    let mut s = Section::new("exhibits", "Exhibits", true);
    let teacher = r
        .candidates
        .first()
        .map_or(String::new(), |c| c.name.clone());
    if r.exhibits.is_empty() {
        s.push(Block::Paragraph(
            "No probe shows the student closer to the top candidate than to every reference model."
                .into(),
        ));
    }
    s.push(Block::Paragraph(format!(
        "The probes on which {} and {} agree most distinctively (their similarity minus the student's highest similarity to any reference model), quoted as excerpts.",
        r.student, teacher
    )));
    for e in &r.exhibits {
        s.push(Block::Pair {
            heading: format!("Probe {} (margin {:+.3})", e.probe, e.margin),
            prompt: e.prompt.clone(),
            left: (r.student.clone(), e.student.clone()),
            right: (teacher.clone(), e.teacher.clone()),
        });
    }
    s
}

/// Tool, parameters, platform and input hashes.
pub fn appendix(tool: &Tool, p: &Parameters, r: &Report) -> Section {
    let mut s = Section::new("appendix", "Appendix: reproducibility", true);
    s.push(Block::KeyValues(tool_rows(tool, p)));
    s.push(Block::Paragraph("Decision rule:".into()));
    s.push(Block::Code(r.verdict.rule.clone()));
    s.push(Block::table(
        &[
            "input", "role", "format", "records", "probes", "SHA-256", "path",
        ],
        r.inputs
            .iter()
            .map(|i| {
                vec![
                    i.name.clone(),
                    i.role.clone(),
                    i.format.clone(),
                    i.records.to_string(),
                    i.probes.to_string(),
                    i.sha256.clone(),
                    i.path.clone(),
                ]
            })
            .collect(),
    ));
    s.push(Block::Paragraph(format!(
        "Re-check with: lineage verify {}",
        "report.json (in the same directory)"
    )));
    s
}

/// Key-value rows shared by every report kind.
pub fn tool_rows(tool: &Tool, p: &Parameters) -> Vec<(String, String)> {
    let weights: Vec<String> = p
        .family_weights
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    vec![
        ("tool".into(), format!("{} {}", tool.name, tool.version)),
        ("git commit".into(), tool.git_commit.clone()),
        ("platform".into(), platform()),
        ("seed".into(), p.seed.to_string()),
        ("alpha".into(), p.alpha.to_string()),
        ("sign-flip resamples".into(), p.resamples.to_string()),
        ("bootstrap resamples".into(), p.bootstrap.to_string()),
        ("confidence".into(), p.confidence.to_string()),
        (
            "format".into(),
            p.format.clone().unwrap_or_else(|| "sniffed".into()),
        ),
        ("extractors".into(), p.extractors.join(", ")),
        ("family weights".into(), weights.join(", ")),
    ]
}

/// Build platform (compile-time, so the bytes do not depend on the host).
pub fn platform() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}
