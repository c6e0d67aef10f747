//! Byte-level BPE tokenizer of the test models, trained with the
//! `tokenizers` crate (Sennrich et al. 2016, "Neural machine translation of
//! rare words with subword units", ACL; byte-level alphabet as in GPT-2,
//! Radford et al. 2019), and the chat format shared by every test model.
//!
//! The alphabet holds all 256 bytes, so any text encodes; a few special
//! tokens mark the chat turns. The chat template is a small Jinja template
//! written to `tokenizer_config.json`; [`render_chat`] produces the same
//! text without a Jinja engine, and a test checks they agree.

use std::path::Path;

use anyhow::{anyhow, Context};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer, TokenizerBuilder};

/// Special tokens, in id order (ids 0..).
pub const SPECIALS: [&str; 5] = [
    "<|end|>",
    "<|user|>",
    "<|assistant|>",
    "<|system|>",
    "<|pad|>",
];
/// End of turn, the EOS token.
pub const EOS: u32 = 0;
/// Padding (never attended to or scored).
pub const PAD: u32 = 4;

/// The chat template written to `tokenizer_config.json`.
pub const CHAT_TEMPLATE: &str = "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

/// The prompt text of a single user turn with the generation prompt, as the
/// chat template renders it.
pub fn render_chat(prompt: &str) -> String {
    format!("<|user|>\n{prompt}<|end|>\n<|assistant|>\n")
}

/// Train a byte-level BPE of `vocab_size` entries (specials included) on
/// `texts`.
pub fn train(texts: &[String], vocab_size: usize) -> anyhow::Result<Tokenizer> {
    let mut trainer = BpeTrainerBuilder::new()
        .show_progress(false)
        .vocab_size(vocab_size)
        .min_frequency(2)
        .special_tokens(
            SPECIALS
                .iter()
                .map(|s| AddedToken::from(*s, true))
                .collect(),
        )
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build();
    let byte_level = ByteLevel::new(false, true, true);
    let mut tk = TokenizerBuilder::new()
        .with_model(BPE::default())
        .with_normalizer(None::<tokenizers::NormalizerWrapper>)
        .with_pre_tokenizer(Some(byte_level))
        .with_post_processor(None::<tokenizers::PostProcessorWrapper>)
        .with_decoder(Some(byte_level))
        .build()
        .map_err(|e| anyhow!("cannot build the tokenizer: {e}"))?;
    tk.train(&mut trainer, texts.iter())
        .map_err(|e| anyhow!("cannot train the tokenizer: {e}"))?;
    let tk: Tokenizer = tk.into();
    for (i, s) in SPECIALS.iter().enumerate() {
        if tk.token_to_id(s) != Some(i as u32) {
            return Err(anyhow!("special token {s} did not get id {i}"));
        }
    }
    Ok(tk)
}

/// Load `tokenizer.json`.
pub fn load(path: &Path) -> anyhow::Result<Tokenizer> {
    Tokenizer::from_file(path).map_err(|e| anyhow!("cannot load {}: {e}", path.display()))
}

/// Token ids of `text` (special tokens recognised).
pub fn encode(tk: &Tokenizer, text: &str) -> anyhow::Result<Vec<u32>> {
    Ok(tk
        .encode(text, false)
        .map_err(|e| anyhow!("cannot encode: {e}"))?
        .get_ids()
        .to_vec())
}

/// Text of `ids` (special tokens dropped).
pub fn decode(tk: &Tokenizer, ids: &[u32]) -> anyhow::Result<String> {
    tk.decode(ids, true)
        .map_err(|e| anyhow!("cannot decode: {e}"))
}

/// Write `tokenizer.json` and `tokenizer_config.json` into `dir`.
pub fn save(tk: &Tokenizer, dir: &Path) -> anyhow::Result<()> {
    let json = tk
        .to_string(true)
        .map_err(|e| anyhow!("cannot serialise the tokenizer: {e}"))?;
    crate::report::atomic::write(&dir.join("tokenizer.json"), json.as_bytes())?;
    let cfg = serde_json::json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": null,
        "eos_token": SPECIALS[EOS as usize],
        "pad_token": SPECIALS[PAD as usize],
        "unk_token": null,
        "add_bos_token": false,
        "add_eos_token": false,
        "model_max_length": super::params::MAX_POSITIONS,
        "chat_template": CHAT_TEMPLATE,
    });
    let mut bytes = serde_json::to_vec_pretty(&cfg).context("tokenizer config")?;
    bytes.push(b'\n');
    crate::report::atomic::write(&dir.join("tokenizer_config.json"), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_render_and_roundtrips() {
        let env = minijinja::Environment::new();
        let out = env
            .render_str(
                CHAT_TEMPLATE,
                minijinja::context! { messages => vec![minijinja::context!{role => "user", content => "Hi?"}], add_generation_prompt => true },
            )
            .unwrap();
        assert_eq!(out, render_chat("Hi?"));
        let texts: Vec<String> = (0..200)
            .map(|i| format!("hello world number {i}. "))
            .collect();
        let tk = train(&texts, 300).unwrap();
        let t = train(&texts, 300).unwrap();
        assert_eq!(tk.to_string(false).unwrap(), t.to_string(false).unwrap());
        let ids = encode(
            &tk,
            &format!("{}hello ünïcode{}", render_chat("x"), SPECIALS[0]),
        )
        .unwrap();
        assert_eq!(ids[0], 1);
        assert_eq!(*ids.last().unwrap(), EOS);
        assert_eq!(
            decode(&tk, &encode(&tk, "hello ünïcode 42").unwrap()).unwrap(),
            "hello ünïcode 42"
        );
    }
}
