//! `report.md`: the human-readable report. Verdict first, then the evidence
//! per candidate and family, refusal behaviour and self-identification
//! claims, the most telling probes, and the inputs with their hashes.

use std::fmt::Write;

use super::schema::{Candidate, DistributionSection, IdentitySection, RefusalSection, Report};
use super::ReportWriter;

pub struct Markdown;

impl ReportWriter for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }
    fn render(&self, r: &Report) -> anyhow::Result<Vec<u8>> {
        let mut s = String::new();
        verdict(&mut s, r)?;
        evidence(&mut s, r)?;
        if let Some(x) = &r.refusal {
            refusal(&mut s, x)?;
        }
        if let Some(x) = &r.identity {
            identity(&mut s, x)?;
        }
        if let Some(x) = &r.distribution {
            distribution(&mut s, x)?;
        }
        exhibits(&mut s, r)?;
        inputs(&mut s, r)?;
        Ok(s.into_bytes())
    }
}

fn verdict(s: &mut String, r: &Report) -> std::fmt::Result {
    let v = &r.verdict;
    writeln!(s, "# lineage report: {}\n", r.student)?;
    let who = v
        .teacher
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    writeln!(s, "**Verdict: {}{}** (alpha = {})\n", v.label, who, v.alpha)?;
    writeln!(s, "{}\n", v.reason)?;
    writeln!(s, "Decision rule: {}\n", v.rule)?;
    if let Some(k) = &r.ranking {
        writeln!(
            s,
            "Ranking: {} ahead of {} by {:.4} [{:.4}, {:.4}], p = {} ({}).\n",
            k.first,
            k.second,
            k.difference.estimate,
            k.difference.ci_low,
            k.difference.ci_high,
            p(k.p_value),
            if k.significant {
                "significant"
            } else {
                "not significant"
            }
        )?;
    }
    Ok(())
}

fn evidence(s: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(s, "## Evidence\n")?;
    writeln!(
        s,
        "{} probes analysed ({} excluded), aligned by {}; reference panel: {}.\n",
        r.alignment.probes_analysed,
        r.alignment.probes_excluded,
        r.alignment.by,
        if r.reference_panel.is_empty() {
            "none".to_string()
        } else {
            r.reference_panel.join(", ")
        }
    )?;
    for c in &r.candidates {
        candidate(s, c)?;
    }
    Ok(())
}

fn candidate(s: &mut String, c: &Candidate) -> std::fmt::Result {
    writeln!(
        s,
        "### {}. {} — p = {}{}\n",
        c.rank,
        c.name,
        p(c.p_value),
        if c.significant {
            " (meets the rule)"
        } else {
            ""
        }
    )?;
    writeln!(s, "| family | similarity S–T | S–panel | excess [95% CI] | d_z | p (max over panel) | p (Holm) | hardest reference |")?;
    writeln!(s, "|---|---|---|---|---|---|---|---|")?;
    for (name, f) in &c.families {
        writeln!(
            s,
            "| {} | {:.4} | {:.4} | {:.4} [{:.4}, {:.4}] | {:.2} | {} | {} | {} |",
            name,
            f.similarity,
            f.panel_similarity,
            f.excess.estimate,
            f.excess.ci_low,
            f.excess.ci_high,
            f.effect_size,
            p(f.p_value),
            p(f.p_holm),
            f.hardest_reference.as_deref().unwrap_or("–")
        )?;
    }
    writeln!(s)?;
    if let Some(e) = &c.calibrated {
        writeln!(
            s,
            "Calibrated likelihood ratio: log10 LR = {:.2} (LR = {:.3}; {}; calibration bounds [{:.2}, {:.2}], unbounded {:.2}).\n",
            e.log10_lr,
            10f64.powf(e.log10_lr),
            e.verbal,
            e.log10_lr_bounds[0],
            e.log10_lr_bounds[1],
            e.log10_lr_raw
        )?;
    }
    Ok(())
}

fn refusal(s: &mut String, x: &RefusalSection) -> std::fmt::Result {
    writeln!(s, "## Refusals\n")?;
    writeln!(
        s,
        "Each of the {} analysed responses per model is classified as full compliance, full refusal or \
         partial refusal. The `refusal` family compares refuse (full or partial) versus comply decisions \
         with Cohen's kappa weighted by how much the reference panel splits on each probe; {} probes split \
         the panel (at least {} are needed).\n",
        x.probes, x.contested_probes, x.min_contested
    )?;
    if let Some(n) = &x.note {
        writeln!(s, "Note: {n}.\n")?;
    }
    writeln!(
        s,
        "| model | role | full refusal | partial refusal | refusal rate | refusal templates |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|")?;
    for m in &x.models {
        writeln!(
            s,
            "| {} | {} | {} | {} | {:.1}% | {} |",
            m.name,
            m.role,
            m.full_refusal,
            m.partial_refusal,
            100.0 * m.refusal_rate,
            counts(m.templates.iter().map(|(k, v)| (k.as_str(), *v)))
        )?;
    }
    writeln!(s)?;
    templates(s, x)?;
    let mut cats: Vec<&String> = x.models.iter().flat_map(|m| m.categories.keys()).collect();
    cats.sort();
    cats.dedup();
    if cats.is_empty() {
        return Ok(());
    }
    writeln!(s, "Refusal rate per probe category:\n")?;
    let names: Vec<&str> = x.models.iter().map(|m| m.name.as_str()).collect();
    writeln!(s, "| category | {} |", names.join(" | "))?;
    writeln!(s, "|---|{}", "---|".repeat(names.len()))?;
    for c in cats {
        let cells: Vec<String> = x
            .models
            .iter()
            .map(|m| {
                m.categories
                    .get(c)
                    .map_or("–".to_string(), |r| format!("{:.1}%", 100.0 * r.rate))
            })
            .collect();
        writeln!(s, "| {c} | {} |", cells.join(" | "))?;
    }
    writeln!(s)
}

/// Refusal-template inheritance per candidate, with the shared templates.
fn templates(s: &mut String, x: &RefusalSection) -> std::fmt::Result {
    if x.template_inheritance.is_empty() {
        return Ok(());
    }
    writeln!(
        s,
        "Refusal templates (the first words of each refusal, normalised): how often the student's \
         refusals open like the candidate's, against the panel's average; p is a sign-flip test over \
         the student's refusals against every panel model.\n"
    )?;
    writeln!(
        s,
        "| candidate | student refusals | shared | panel shared | excess | p | shared templates |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|---|")?;
    for t in &x.template_inheritance {
        let ex: Vec<String> = t
            .exhibits
            .iter()
            .map(|e| format!("\"{}…\" ({}/{})", e.template, e.student, e.candidate))
            .collect();
        writeln!(
            s,
            "| {} | {} | {:.1}% | {:.1}% | {:+.3} | {:.3} | {} |",
            t.candidate,
            t.student_refusals,
            100.0 * t.shared_rate,
            100.0 * t.panel_shared_rate,
            t.excess,
            t.p_value,
            if ex.is_empty() {
                "–".into()
            } else {
                ex.join("; ")
            }
        )?;
    }
    writeln!(s)
}

fn identity(s: &mut String, x: &IdentitySection) -> std::fmt::Result {
    writeln!(s, "## Self-identification\n")?;
    writeln!(s, "{}\n", x.summary)?;
    writeln!(
        s,
        "**Directional: {}.** {}\n",
        if x.directional {
            format!("yes, toward {}", x.toward.join(", "))
        } else {
            "no".to_string()
        },
        x.explanation
    )?;
    writeln!(
        s,
        "| model | role | responses | naming a model or maker | \"as an AI\" only | claims |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|")?;
    for m in &x.models {
        writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            m.name,
            m.role,
            m.responses,
            m.claiming,
            m.generic,
            counts(m.claims.iter().map(|(k, v)| (k.as_str(), *v)))
        )?;
    }
    writeln!(s)
}

/// "a 3, b 1", most frequent first (ties in name order); "–" when empty.
fn counts<'a>(it: impl Iterator<Item = (&'a str, usize)>) -> String {
    let mut v: Vec<(&str, usize)> = it.collect();
    if v.is_empty() {
        return "–".to_string();
    }
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn exhibits(s: &mut String, r: &Report) -> std::fmt::Result {
    if r.exhibits.is_empty() {
        return Ok(());
    }
    let teacher = r.candidates.first().map_or("", |c| c.name.as_str());
    writeln!(s, "## Most distinctive agreements with {teacher}\n")?;
    for (i, e) in r.exhibits.iter().enumerate() {
        writeln!(
            s,
            "{}. Probe `{}` (margin over best panel model {:.3})",
            i + 1,
            e.probe,
            e.margin
        )?;
        writeln!(s, "   - Prompt: {}", quote(&e.prompt))?;
        writeln!(s, "   - {}: {}", r.student, quote(&e.student))?;
        writeln!(s, "   - {teacher}: {}", quote(&e.teacher))?;
    }
    writeln!(s)
}

fn inputs(s: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(s, "## Inputs\n")?;
    writeln!(
        s,
        "| name | role | format | probes | missing | duplicated | empty | SHA-256 |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|---|---|")?;
    for i in &r.inputs {
        writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | `{}` |",
            i.name, i.role, i.format, i.probes, i.missing, i.duplicated, i.empty, i.sha256
        )?;
    }
    writeln!(
        s,
        "\nlineage {} (commit {}), schema {}, seed {}, {} sign-flip resamples, {} bootstrap resamples.",
        r.tool.version,
        r.tool.git_commit,
        r.schema_version,
        r.parameters.seed,
        r.parameters.resamples,
        r.parameters.bootstrap
    )
}

fn distribution(s: &mut String, x: &DistributionSection) -> std::fmt::Result {
    writeln!(s, "## Output distributions\n")?;
    writeln!(s, "{}\n", x.note)?;
    writeln!(
        s,
        "{} score records ({} unusable); scorers: {}; responders: {}.\n",
        x.records,
        x.unusable_records,
        x.scorers.join(", "),
        x.responders.join(", ")
    )?;
    writeln!(s, "Preference: how much more per-byte log-likelihood (nats/byte) a scorer gives the candidate's responses than the reference panel's. JSD: mean per-position Jensen–Shannon divergence (nats) from the candidate's own next-token distribution on its responses; top-1: agreement of the most likely next token.\n")?;
    for c in &x.candidates {
        writeln!(
            s,
            "### {} ({} probes cross-likelihood, {} probes next-token)\n",
            c.name, c.cross_likelihood_probes, c.jsd_probes
        )?;
        writeln!(s, "| scorer | preference | JSD | top-1 |")?;
        writeln!(s, "|---|---|---|---|")?;
        let mut names: Vec<&String> = c.preference.keys().chain(c.jsd.keys()).collect();
        names.sort();
        names.dedup();
        let f = |m: &std::collections::BTreeMap<String, f64>, k: &String| {
            m.get(k).map_or("–".to_string(), |v| format!("{v:.4}"))
        };
        for n in names {
            writeln!(
                s,
                "| {} | {} | {} | {} |",
                n,
                f(&c.preference, n),
                f(&c.jsd, n),
                f(&c.top1_agreement, n)
            )?;
        }
        for n in &c.notes {
            writeln!(s, "\n- {n}")?;
        }
        writeln!(s)?;
    }
    Ok(())
}

fn p(x: f64) -> String {
    if x < 1e-3 {
        format!("{x:.1e}")
    } else {
        format!("{x:.4}")
    }
}

/// Inline-quoted text with Markdown control characters neutralised.
fn quote(t: &str) -> String {
    let esc: String = t
        .chars()
        .map(|c| match c {
            '|' | '`' | '*' | '_' | '<' | '>' | '#' | '[' | ']' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect();
    format!("“{esc}”")
}
