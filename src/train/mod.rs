//! Training tiny Llama-architecture models for `test-models/`
//! (`lineage-train`, driven by `scripts/make-test-models.sh`).
//!
//! [`corpus`] generates a deterministic instruction corpus in distinct
//! house styles, [`tokenizer`] trains a byte-level BPE and the chat format,
//! [`params`] writes the Hugging Face `config.json` of a Llama and draws
//! its initial parameters; the network is the runner's
//! ([`crate::model::transformer`]) on those parameters, with gradients.
//! [`fit`] trains it (cross-entropy or soft distillation), [`generate`]
//! samples answers (for sequence distillation) and scores answers. Models
//! are written in Hugging Face layout by [`save`]. Everything runs on
//! candle's CPU backend and is deterministic given the seeds.

pub mod corpus;
pub mod fit;
pub mod generate;
pub mod params;
pub mod tokenizer;

use std::path::Path;

use anyhow::Context;
use candle_nn::VarMap;
use tokenizers::Tokenizer;

use crate::model::load::from_varmap;
use crate::model::transformer::Transformer;
use params::Config;

/// Write `config.json`, `model.safetensors`, `tokenizer.json` and
/// `tokenizer_config.json` into `dir` (created if needed).
pub fn save(dir: &Path, cfg: &Config, vm: &VarMap, tk: &Tokenizer) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut c = serde_json::to_vec_pretty(cfg)?;
    c.push(b'\n');
    crate::report::atomic::write(&dir.join("config.json"), &c)?;
    let tmp = dir.join(".model.safetensors.tmp");
    vm.save(&tmp)?;
    std::fs::rename(&tmp, dir.join("model.safetensors"))
        .with_context(|| format!("cannot write {}", dir.display()))?;
    tokenizer::save(tk, dir)
}

/// A saved test model: configuration, tensors, tokenizer.
pub struct Loaded {
    pub cfg: Config,
    pub vm: VarMap,
    pub tk: Tokenizer,
}

impl Loaded {
    /// The network on these tensors (with gradients).
    pub fn model(&self) -> anyhow::Result<Transformer> {
        Ok(from_varmap(&self.cfg.arch()?, &self.vm)?)
    }
}

/// Load a directory written by [`save`].
pub fn load(dir: &Path) -> anyhow::Result<Loaded> {
    let cp = dir.join("config.json");
    let cfg: Config = serde_json::from_slice(
        &std::fs::read(&cp).with_context(|| format!("cannot read {}", cp.display()))?,
    )
    .with_context(|| format!("{}: not a test-model config", cp.display()))?;
    let vm = params::load_varmap(&cfg, &dir.join("model.safetensors"))
        .with_context(|| format!("cannot load the weights in {}", dir.display()))?;
    let tk = tokenizer::load(&dir.join("tokenizer.json"))?;
    Ok(Loaded { cfg, vm, tk })
}
