//! Inline SVG charts drawn with plotters' SVG backend. Text sizes use
//! plotters' built-in estimate (no font files), so the bytes depend only on
//! the data. Every function returns a complete `<svg>` element.

use plotters::coord::Shift;
use plotters::prelude::*;

type Res = Result<(), Box<dyn std::error::Error>>;

const FONT: &str = "sans-serif";
const ACCENT: RGBColor = RGBColor(196, 40, 40);
const INK: RGBColor = RGBColor(40, 40, 40);
const MUTED: RGBColor = RGBColor(150, 150, 150);
const BLUE: RGBColor = RGBColor(40, 90, 170);

/// Draw into a fresh SVG of `w × h` pixels.
fn svg(
    w: u32,
    h: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Res,
) -> anyhow::Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        draw(&root).map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("chart: {e}"))?;
    }
    Ok(buf)
}

/// `[lo, hi]` widened to include 0 and padded by 8%.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    (lo - pad, hi + pad)
}

/// One row of a forest plot.
pub struct ForestRow {
    pub label: String,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Drawn in the accent colour.
    pub highlight: bool,
}

/// Estimates with confidence intervals, one row each, with the zero line.
pub fn forest(rows: &[ForestRow], x_label: &str) -> anyhow::Result<String> {
    let n = rows.len().max(1);
    let (lo, hi) = range(rows.iter().flat_map(|r| [r.low, r.high, r.estimate]));
    svg(720, 60 + 34 * n as u32, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(170)
            .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < rows.len() {
                    rows[rows.len() - 1 - i as usize].label.clone()
                } else {
                    String::new()
                }
            })
            .x_desc(x_label)
            .label_style((FONT, 13))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            MUTED.stroke_width(1),
        )))?;
        for (k, r) in rows.iter().enumerate() {
            let y = (rows.len() - 1 - k) as f64;
            let c = if r.highlight { ACCENT } else { INK };
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(r.low, y), (r.high, y)],
                c.stroke_width(2),
            )))?;
            chart.draw_series(std::iter::once(Circle::new((r.estimate, y), 5, c.filled())))?;
        }
        Ok(())
    })
}

/// The between-model null sample as labelled dots, with the observed value
/// as a vertical accent line.
pub fn null_strip(
    null: &[(String, f64)],
    observed: f64,
    observed_label: &str,
    x_label: &str,
) -> anyhow::Result<String> {
    let (lo, hi) = range(null.iter().map(|v| v.1).chain([observed]));
    svg(720, 190, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .build_cartesian_2d(lo..hi, 0.0..1.0)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(x_label)
            .label_style((FONT, 13))
            .light_line_style(WHITE)
            .draw()?;
        for (k, (_, v)) in null.iter().enumerate() {
            // Deterministic vertical spread so equal values stay visible.
            let y = 0.2 + 0.5 * ((k * 7 % 11) as f64 / 10.0);
            chart.draw_series(std::iter::once(Circle::new((*v, y), 4, BLUE.filled())))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(observed, 0.0), (observed, 1.0)],
            ACCENT.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            observed_label.to_string(),
            (observed, 0.97),
            (FONT, 13).into_font().color(&ACCENT),
        )))?;
        Ok(())
    })
}

/// Per-probe scatter with the diagonal y = x.
pub fn scatter(points: &[(f64, f64)], x_label: &str, y_label: &str) -> anyhow::Result<String> {
    let (lo, hi) = range(points.iter().flat_map(|p| [p.0, p.1]).chain([1.0]));
    let (lo, hi) = (lo.max(-0.05), hi.min(1.05));
    svg(520, 460, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(lo..hi, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style((FONT, 13))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(lo, lo), (hi, hi)],
            MUTED.stroke_width(1),
        )))?;
        chart.draw_series(points.iter().map(|&(x, y)| {
            let c = if y > x { ACCENT } else { BLUE };
            Circle::new((x, y), 2, c.mix(0.6).filled())
        }))?;
        Ok(())
    })
}

/// Tippett plot (Meuwly, Ramos & Haraksim 2017): for each log10 LR value
/// x, the share of H1 cases (red) and of H2 cases (blue) whose log10 LR is
/// at least x. Good systems keep the red curve high and the blue one low
/// to the right of 0.
pub fn tippett(h1: &[f64], h2: &[f64]) -> anyhow::Result<String> {
    let (lo, hi) = range(h1.iter().chain(h2).copied());
    let curve = |v: &[f64]| -> Vec<(f64, f64)> {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        let n = s.len().max(1) as f64;
        let mut pts = vec![(lo, 1.0)];
        for (i, &x) in s.iter().enumerate() {
            let above = (s.len() - i) as f64 / n;
            pts.push((x, above));
            pts.push((x, above - 1.0 / n));
        }
        pts.push((hi, 0.0));
        pts
    };
    svg(620, 380, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(lo..hi, 0.0..1.02)?;
        chart
            .configure_mesh()
            .x_desc("log10 likelihood ratio")
            .y_desc("share of cases with at least this log10 LR")
            .label_style((FONT, 13))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, 1.02)],
            MUTED.stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            curve(h1),
            ACCENT.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            curve(h2),
            BLUE.stroke_width(2),
        )))?;
        Ok(())
    })
}

/// Diverging colour for `v` scaled by `max` (blue below 0, red above).
fn diverging(v: f64, max: f64) -> RGBColor {
    let t = if max > 0.0 {
        (v / max).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let mix =
        |a: u8, b: u8, t: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    if t >= 0.0 {
        RGBColor(255, mix(255, 60, t), mix(255, 60, t))
    } else {
        RGBColor(mix(255, 60, -t), mix(255, 100, -t), 255)
    }
}

/// Square heatmap of `values[row][col]` (None blank) in the given order.
pub fn heatmap(
    names: &[String],
    values: &[Vec<Option<f64>>],
    order: &[usize],
) -> anyhow::Result<String> {
    let n = order.len();
    let cell = (640 / n.max(1)).clamp(4, 22) as i32;
    let label_w = 190;
    let size = label_w + cell * n as i32 + 20;
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    svg(size as u32, size as u32, |root| {
        for (i, &r) in order.iter().enumerate() {
            for (j, &c) in order.iter().enumerate() {
                let x0 = label_w + j as i32 * cell;
                let y0 = label_w + i as i32 * cell;
                let fill = values[r][c].map_or(RGBColor(235, 235, 235), |v| diverging(v, max));
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell, y0 + cell)],
                    fill.filled(),
                ))?;
            }
            if cell >= 8 {
                let style = (FONT, (cell - 2).min(13)).into_font().color(&INK);
                root.draw(&Text::new(
                    names[r].clone(),
                    (4, label_w + i as i32 * cell + 2),
                    style.clone(),
                ))?;
                let vstyle = style.transform(FontTransform::Rotate270);
                root.draw(&Text::new(
                    names[r].clone(),
                    (label_w + i as i32 * cell + 2, label_w - 4),
                    vstyle,
                ))?;
            }
        }
        Ok(())
    })
}

/// Horizontal dendrogram of average-linkage merges (leaves top to bottom in
/// `order`, heights to the right).
pub fn dendrogram(
    names: &[String],
    merges: &[crate::matrix::tree::Merge],
    order: &[usize],
) -> anyhow::Result<String> {
    let n = names.len();
    let row = 18;
    let (label_w, plot_w) = (200.0, 460.0);
    let hmax = merges
        .iter()
        .map(|m| m.height)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let mut y = vec![0.0f64; n + merges.len()];
    let mut x = vec![0.0f64; n + merges.len()];
    for (pos, &leaf) in order.iter().enumerate() {
        y[leaf] = 10.0 + (pos as f64 + 0.5) * f64::from(row);
    }
    for (k, m) in merges.iter().enumerate() {
        y[n + k] = (y[m.left] + y[m.right]) / 2.0;
        x[n + k] = m.height / hmax * plot_w;
    }
    let px = |v: f64| (label_w + v).round() as i32;
    let h = 20 + row * n as u32;
    svg((label_w + plot_w + 30.0) as u32, h, |root| {
        for (pos, &leaf) in order.iter().enumerate() {
            let yy = 10 + pos as i32 * row as i32 + 3;
            root.draw(&Text::new(
                names[leaf].clone(),
                (4, yy),
                (FONT, 13).into_font().color(&INK),
            ))?;
        }
        for (k, m) in merges.iter().enumerate() {
            let xm = px(x[n + k]);
            for c in [m.left, m.right] {
                let yc = y[c].round() as i32;
                root.draw(&PathElement::new(
                    vec![(px(x[c]), yc), (xm, yc)],
                    INK.stroke_width(1),
                ))?;
            }
            root.draw(&PathElement::new(
                vec![
                    (xm, y[m.left].round() as i32),
                    (xm, y[m.right].round() as i32),
                ],
                INK.stroke_width(1),
            ))?;
        }
        Ok(())
    })
}
