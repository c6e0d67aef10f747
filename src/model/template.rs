//! Chat templates: the Jinja template a model ships (Hugging Face
//! `tokenizer_config.json` / `chat_template.jinja`, or GGUF
//! `tokenizer.chat_template`) rendered with minijinja.
//!
//! Hugging Face renders templates with Jinja2 using `trim_blocks`,
//! `lstrip_blocks` and the loop-controls extension, and exposes
//! `raise_exception`; templates also call Python string methods (`strip`,
//! `startswith`, ...) which minijinja-contrib's pycompat layer provides.
//! `strftime_now` (Llama 3 templates) returns a fixed date so renders are
//! reproducible.

use minijinja::{context, Environment, Error, ErrorKind};

/// Largest template accepted (real ones are a few KB).
const MAX_TEMPLATE_BYTES: usize = 1 << 20;

/// A compiled chat template and the special tokens it may refer to.
#[derive(Debug)]
pub struct ChatTemplate {
    env: Environment<'static>,
    bos: String,
    eos: String,
}

impl ChatTemplate {
    /// Compile `source`; `bos`/`eos` are the texts of the special tokens.
    pub fn new(source: &str, bos: &str, eos: &str) -> Result<Self, String> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(format!("template of {} bytes is too large", source.len()));
        }
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", |msg: String| -> Result<String, Error> {
            Err(Error::new(ErrorKind::InvalidOperation, msg))
        });
        env.add_function("strftime_now", |_fmt: String| "01 Jan 2025".to_string());
        env.add_template_owned("chat", source.to_string())
            .map_err(|e| format!("{e:#}"))?;
        Ok(ChatTemplate {
            env,
            bos: bos.into(),
            eos: eos.into(),
        })
    }

    /// The text the model sees for one user turn, ending where the
    /// assistant's answer starts.
    pub fn render(&self, prompt: &str) -> Result<String, String> {
        let tmpl = self.env.get_template("chat").map_err(|e| e.to_string())?;
        tmpl.render(context! {
            messages => vec![context! { role => "user", content => prompt }],
            add_generation_prompt => true,
            bos_token => &self.bos,
            eos_token => &self.eos,
        })
        .map_err(|e| format!("{e:#}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ChatML template in the style Hugging Face models ship, with a
    /// default system turn, `loop.first`, a string method and tojson-free
    /// control flow.
    const CHATML: &str = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are helpful.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'].strip() + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    #[test]
    fn renders_chatml() {
        let t = ChatTemplate::new(CHATML, "", "<|im_end|>").unwrap();
        assert_eq!(
            t.render(" Hi? ").unwrap(),
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn raise_exception_and_blocks() {
        let src = "{% if messages[0]['role'] == 'user' %}\n  {{ raise_exception('no users') }}\n{% endif %}";
        let t = ChatTemplate::new(src, "", "").unwrap();
        assert!(t.render("x").unwrap_err().contains("no users"));
        let t = ChatTemplate::new("{{ bos_token }}{% for m in messages %}{% if m.content.startswith('H') %}[{{ m.content|tojson }}]{% endif %}{% endfor %}", "<s>", "").unwrap();
        assert_eq!(t.render("Hey").unwrap(), "<s>[\"Hey\"]");
    }
}
