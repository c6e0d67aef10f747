//! Running open-weight models: `lineage probe` (answer probes, with
//! per-token log-probabilities) and `lineage score` (teacher-forced
//! log-likelihood of given responses).
//!
//! - [`load`]: Hugging Face directories and GGUF files of the Llama family
//!   (Llama, SmolLM2, Mistral, Qwen2) into one [`transformer::Transformer`];
//! - [`codec`]: tokenizer, chat template ([`template`]) and stop tokens;
//! - [`generate`] and [`score`] on top of [`dist`] (log-softmax, top-k,
//!   sampling);
//! - [`run`]: the two commands over record files, writing JSONL.
//!
//! CPU by default; `--device cuda` when built with the `cuda` feature.

pub mod codec;
pub mod command;
pub mod config;
pub mod dist;
pub mod error;
pub mod generate;
pub mod load;
pub mod run;
pub mod score;
pub mod template;
pub mod tiny;
pub mod transformer;

use std::path::{Path, PathBuf};

use candle_core::Device;

pub use error::ModelError;

/// Where the network runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DeviceKind {
    #[default]
    Cpu,
    /// The first CUDA GPU (builds with `--features cuda` only).
    Cuda,
}

impl DeviceKind {
    /// The candle device; asking for CUDA in a CPU-only build is an error.
    pub fn device(self) -> Result<Device, String> {
        match self {
            DeviceKind::Cpu => Ok(Device::Cpu),
            #[cfg(feature = "cuda")]
            DeviceKind::Cuda => {
                Device::new_cuda(0).map_err(|e| format!("cannot open CUDA device 0: {e}"))
            }
            #[cfg(not(feature = "cuda"))]
            DeviceKind::Cuda => Err(
                "--device cuda needs a build with `--features cuda`; this one is CPU-only".into(),
            ),
        }
    }
}

/// A loaded model: network, text codec and a name for output records.
#[derive(Debug)]
pub struct Model {
    pub net: transformer::Transformer,
    pub codec: codec::Codec,
    pub name: String,
    pub path: PathBuf,
}

impl Model {
    /// Load a Hugging Face model directory or a `.gguf` file.
    pub fn load(path: &Path, device: &Device) -> Result<Model, ModelError> {
        let name = path
            .file_name()
            .map(|s| s.to_string_lossy().trim_end_matches(".gguf").to_string())
            .unwrap_or_else(|| "model".into());
        let (net, codec) = if path.is_dir() {
            (load::load_hf(path, device)?, codec::Codec::from_hf(path)?)
        } else if path.is_file() && is_gguf(path)? {
            let (net, md) = load::load_gguf(path, device, None)?;
            (net, codec::Codec::from_gguf(path, &md)?)
        } else if !path.exists() {
            return Err(ModelError::Io {
                path: path.into(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        } else {
            return Err(ModelError::NotAModel { path: path.into() });
        };
        Ok(Model {
            net,
            codec,
            name,
            path: path.into(),
        })
    }
}

/// Whether the file starts with the GGUF magic.
fn is_gguf(path: &Path) -> Result<bool, ModelError> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(path).map_err(|source| ModelError::Io {
        path: path.into(),
        source,
    })?;
    Ok(f.read_exact(&mut magic).is_ok() && &magic == b"GGUF")
}
