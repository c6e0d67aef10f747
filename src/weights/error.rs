//! Errors of the weights subsystem: every variant names the file and, where
//! one is involved, the tensor, so a user can find the bad bytes. All of
//! them are bad input (exit code 2, see [`crate::error::exit_code`]).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: refusing to load a pickle checkpoint (.bin/.pt/.pth/.pkl): unpickling can run \
         arbitrary code. Convert it to safetensors in a sandbox first, e.g. with the \
         `safetensors` project's convert script (`python convert.py <model>`), or \
         `torch.load(..., weights_only=True)` followed by `safetensors.torch.save_file`",
        path.display()
    )]
    Pickle { path: PathBuf },
    #[error("{}: {why}", path.display())]
    Unsupported { path: PathBuf, why: String },
    #[error("{}: bad header: {why}", path.display())]
    Header { path: PathBuf, why: String },
    #[error("{}: tensor `{tensor}`: {why}", path.display())]
    Tensor {
        path: PathBuf,
        tensor: String,
        why: String,
    },
    #[error("{}: shard index: {why}", path.display())]
    Shard { path: PathBuf, why: String },
    #[error("{}: not a weight fingerprint: {why}", path.display())]
    Fingerprint { path: PathBuf, why: String },
}

impl WeightsError {
    pub fn header(path: &std::path::Path, why: impl Into<String>) -> Self {
        WeightsError::Header {
            path: path.to_path_buf(),
            why: why.into(),
        }
    }
    pub fn tensor(path: &std::path::Path, tensor: &str, why: impl Into<String>) -> Self {
        WeightsError::Tensor {
            path: path.to_path_buf(),
            tensor: tensor.to_string(),
            why: why.into(),
        }
    }
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        WeightsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, WeightsError>;
