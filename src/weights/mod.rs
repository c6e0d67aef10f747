//! Open-weight forensics: is checkpoint B a copy or derivative of A?
//!
//! - [`checkpoint`], [`safetensors`], [`gguf`], [`decode`]: memory-mapped,
//!   defensively parsed checkpoints (HF directories, `.safetensors`,
//!   `.gguf`), decoded to f32 row chunks on demand; pickles are refused.
//! - [`fingerprint`]: per-tensor moments, per-layer std profiles and top
//!   singular values, serialisable so a large model is read once.
//! - [`pairwise`]: calibrated pairwise tests (copy within dtype allowance,
//!   aligned centred cosine, permutation-robust matching after Zhu et al.
//!   2025) and [`verdict`] the decision rules; [`report`] writes them.
//! - [`canonical`]: the comparison after undoing re-parametrisations (norm
//!   folding, residual rotation by Procrustes, channel scaling,
//!   permutation); [`dense`] its products and factorisations.
//! - [`transform`]: dtype casts, GGUF→HF conversion and function-preserving
//!   permutations and [`reparam`]-etrisations, used to build test copies.
//!
//! Method notes and their limits are in docs/weights.md.

pub mod canonical;
pub mod checkpoint;
pub mod decode;
pub mod dense;
pub mod dtype;
pub mod error;
pub mod fingerprint;
pub mod gguf;
pub mod hash;
pub mod linalg;
pub mod matching;
pub mod moments;
pub mod names;
pub mod pairwise;
pub mod reparam;
pub mod report;
pub mod safetensors;
pub mod synth;
pub mod transform;
pub mod verdict;

pub use checkpoint::{Checkpoint, Format, ModelConfig};
pub use dtype::DType;
pub use error::WeightsError;

/// Where one tensor's bytes are and how to read them.
#[derive(Debug, Clone)]
pub struct TensorInfo {
    /// Name as stored in the file.
    pub name: String,
    /// GGUF-style name shared by HF and GGUF layouts ([`names`]).
    pub canonical: String,
    pub dtype: DType,
    /// Shape in row-major (HF/PyTorch) order, outermost first.
    pub shape: Vec<usize>,
    /// Index into [`Checkpoint::files`].
    pub file: usize,
    /// Absolute byte offset of the data in its file.
    pub start: usize,
    pub len: usize,
    /// GGUF `llama` q/k tensors: heads whose rows are stored in llama.cpp's
    /// RoPE order.
    pub rope_heads: Option<usize>,
}
