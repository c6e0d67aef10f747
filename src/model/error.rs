//! Errors of the model runner. Bad or unsupported checkpoints, tokenizers
//! and templates are bad input (exit 2, see [`crate::error`]); every error
//! names the file and, where it applies, the tensor, key or record line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a model: expected a directory with config.json and model.safetensors (or model.safetensors.index.json), or a .gguf file")]
    NotAModel { path: PathBuf },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{path}: unsupported architecture `{arch}` (supported: llama, mistral, qwen2)")]
    Unsupported { path: PathBuf, arch: String },
    #[error("{path}: tensor `{tensor}`: {message}")]
    Tensor {
        path: PathBuf,
        tensor: String,
        message: String,
    },
    #[error("{path}: tokenizer: {message}")]
    Tokenizer { path: PathBuf, message: String },
    #[error("{path}: chat template: {message}")]
    Template { path: PathBuf, message: String },
    #[error("{path}:{line}: {message}")]
    Record {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

impl ModelError {
    pub fn config(path: &std::path::Path, message: impl Into<String>) -> Self {
        ModelError::Config {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn tokenizer(path: &std::path::Path, message: impl std::fmt::Display) -> Self {
        ModelError::Tokenizer {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}
