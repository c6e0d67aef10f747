//! Self-contained HTML reports: one file, no network, inline CSS and SVG
//! charts ([`charts`]), print-friendly with page breaks between sections.
//!
//! Every report kind (compare, matrix, and later weights) builds a small
//! generic [`Document`] of sections and blocks; [`render`] turns any
//! document into the same page layout. All text is HTML-escaped here; only
//! SVG produced by [`charts`] is embedded verbatim. Output bytes depend only
//! on the document (no clock, no randomness).

pub mod charts;
pub mod compare;
pub mod matrix;
pub mod weights;

/// A whole report page.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
}

/// A titled part of the page; `page_break` starts it on a new printed page.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub id: String,
    pub heading: String,
    pub page_break: bool,
    pub blocks: Vec<Block>,
}

/// Tone of a verdict box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Positive,
    Neutral,
    Caution,
}

/// Content of a section.
#[derive(Debug, Clone)]
pub enum Block {
    Verdict {
        label: String,
        tone: Tone,
        text: String,
    },
    Paragraph(String),
    /// Trusted SVG from [`charts`] with a caption.
    Figure {
        svg: String,
        caption: String,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Two texts side by side under a heading (an exhibit).
    Pair {
        heading: String,
        prompt: String,
        left: (String, String),
        right: (String, String),
    },
    KeyValues(Vec<(String, String)>),
    Code(String),
}

impl Block {
    /// A table with a header of plain strings.
    pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Block {
        Block::Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

impl Section {
    pub fn new(id: &str, heading: &str, page_break: bool) -> Self {
        Section {
            id: id.into(),
            heading: heading.into(),
            page_break,
            blocks: Vec::new(),
        }
    }
    pub fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
body{font-family:Georgia,"DejaVu Serif",serif;color:#222;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #bbb;padding-bottom:.2rem;margin-top:2rem}
.subtitle{color:#555;margin-top:0}
.verdict{border:2px solid #888;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.verdict .label{font-size:1.4rem;font-weight:bold;font-family:sans-serif}
.tone-positive{border-color:#b22;background:#fdf1f1}.tone-caution{border-color:#b80;background:#fff8e6}.tone-neutral{border-color:#456;background:#f2f5f8}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem;font-family:sans-serif}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f0f0f0}
td{word-break:break-word}
figure{margin:1rem 0;page-break-inside:avoid;break-inside:avoid}figcaption{font-size:.85rem;color:#444}
figure svg{max-width:100%;height:auto}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.8rem;page-break-inside:avoid;break-inside:avoid;margin-bottom:1rem}
.pair blockquote{margin:0;border-left:3px solid #999;padding:.3rem .6rem;background:#fafafa;font-size:.85rem;white-space:pre-wrap}
.prompt{font-size:.85rem;color:#333}
pre{white-space:pre-wrap;word-break:break-all;font-size:.75rem;background:#f6f6f6;padding:.5rem}
@media print{body{max-width:none;margin:0}.page-break{break-before:page;page-break-before:always}a{color:inherit}}
"#;

/// Render a document to a complete HTML page.
pub fn render(doc: &Document) -> String {
    let mut h = String::with_capacity(1 << 16);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!(
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&doc.title)
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n",
        escape(&doc.title),
        escape(&doc.subtitle)
    ));
    for s in &doc.sections {
        let class = if s.page_break {
            " class=\"page-break\""
        } else {
            ""
        };
        h.push_str(&format!(
            "<section id=\"{}\"{class}>\n<h2>{}</h2>\n",
            escape(&s.id),
            escape(&s.heading)
        ));
        for b in &s.blocks {
            block(&mut h, b);
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn block(h: &mut String, b: &Block) {
    match b {
        Block::Verdict { label, tone, text } => {
            let t = match tone {
                Tone::Positive => "positive",
                Tone::Neutral => "neutral",
                Tone::Caution => "caution",
            };
            h.push_str(&format!(
                "<div class=\"verdict tone-{t}\" id=\"verdict\"><div class=\"label\">{}</div><p>{}</p></div>\n",
                escape(label),
                escape(text)
            ));
        }
        Block::Paragraph(p) => h.push_str(&format!("<p>{}</p>\n", escape(p))),
        Block::Figure { svg, caption } => {
            h.push_str(&format!(
                "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(caption)
            ));
        }
        Block::Table { header, rows } => {
            h.push_str("<table>\n<thead><tr>");
            header
                .iter()
                .for_each(|c| h.push_str(&format!("<th>{}</th>", escape(c))));
            h.push_str("</tr></thead>\n<tbody>\n");
            for r in rows {
                h.push_str("<tr>");
                r.iter()
                    .for_each(|c| h.push_str(&format!("<td>{}</td>", escape(c))));
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody>\n</table>\n");
        }
        Block::Pair {
            heading,
            prompt,
            left,
            right,
        } => {
            h.push_str(&format!(
                "<h3>{}</h3>\n<p class=\"prompt\"><b>Prompt:</b> {}</p>\n<div class=\"pair\">\n",
                escape(heading),
                escape(prompt)
            ));
            for (who, text) in [left, right] {
                h.push_str(&format!(
                    "<div><b>{}</b><blockquote>{}</blockquote></div>\n",
                    escape(who),
                    escape(text)
                ));
            }
            h.push_str("</div>\n");
        }
        Block::KeyValues(kv) => {
            h.push_str("<table>\n<tbody>\n");
            for (k, v) in kv {
                h.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    escape(k),
                    escape(v)
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
        Block::Code(c) => h.push_str(&format!("<pre>{}</pre>\n", escape(c))),
    }
}

/// Format a p-value compactly.
pub fn fmt_p(p: f64) -> String {
    if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_hostile_text_everywhere() {
        let evil = "<script>alert('x')</script>&\"";
        let mut s = Section::new("a\"b", evil, true);
        s.push(Block::Paragraph(evil.into()));
        s.push(Block::Table {
            header: vec![evil.into()],
            rows: vec![vec![evil.into()]],
        });
        s.push(Block::Pair {
            heading: evil.into(),
            prompt: evil.into(),
            left: (evil.into(), evil.into()),
            right: (evil.into(), evil.into()),
        });
        let html = render(&Document {
            title: evil.into(),
            subtitle: evil.into(),
            sections: vec![s],
        });
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(html.contains("class=\"page-break\""));
    }
}
