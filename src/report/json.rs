//! `report.json`: the machine-readable report (docs/report-schema.md).
//!
//! Serialised with sorted struct fields as declared and fixed float
//! formatting (serde_json's shortest round-trip representation), so equal
//! reports are equal bytes.

use super::{schema::Report, ReportWriter};

pub struct Json;

impl ReportWriter for Json {
    fn file_name(&self) -> &'static str {
        "report.json"
    }
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        rounded_bytes(report)
    }
}

/// Pretty JSON of `value` with every float rounded to 6 significant digits,
/// plus a final newline: the `compare` and `weights` reports. Sums over
/// probes are computed in a fixed order, so rounding is not needed for
/// determinism; it keeps the report readable and avoids implying false
/// precision.
pub fn rounded_bytes<T: serde::Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut v = serde_json::to_value(value)?;
    round(&mut v);
    let mut out = serde_json::to_vec_pretty(&v)?;
    out.push(b'\n');
    Ok(out)
}

fn round(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(0.0);
            let r: f64 = format!("{x:.6e}").parse().unwrap_or(x);
            if let Some(m) = serde_json::Number::from_f64(r) {
                *n = m;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(round),
        Value::Object(o) => o.values_mut().for_each(round),
        _ => {}
    }
}
