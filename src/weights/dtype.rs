//! Storage types of weight tensors: plain floats (safetensors and GGUF) and
//! GGUF's block-quantized types, with their byte sizes and the relative
//! error a faithful conversion into each type is expected to leave.

use candle_core::quantized::GgmlDType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DType {
    F32,
    F16,
    Bf16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q2K,
    Q3K,
    Q4K,
    Q5K,
    Q6K,
    Q8K,
}

impl DType {
    /// Safetensors dtype string; only float types are weights we analyse.
    pub fn from_safetensors(s: &str) -> Option<DType> {
        match s {
            "F32" => Some(DType::F32),
            "F16" => Some(DType::F16),
            "BF16" => Some(DType::Bf16),
            _ => None,
        }
    }

    pub fn safetensors_name(self) -> Option<&'static str> {
        match self {
            DType::F32 => Some("F32"),
            DType::F16 => Some("F16"),
            DType::Bf16 => Some("BF16"),
            _ => None,
        }
    }

    /// GGML type id (ggml.h `enum ggml_type`).
    pub fn from_ggml(id: u32) -> Option<DType> {
        Some(match id {
            0 => DType::F32,
            1 => DType::F16,
            2 => DType::Q4_0,
            3 => DType::Q4_1,
            6 => DType::Q5_0,
            7 => DType::Q5_1,
            8 => DType::Q8_0,
            10 => DType::Q2K,
            11 => DType::Q3K,
            12 => DType::Q4K,
            13 => DType::Q5K,
            14 => DType::Q6K,
            15 => DType::Q8K,
            30 => DType::Bf16,
            _ => return None,
        })
    }

    pub fn ggml(self) -> GgmlDType {
        match self {
            DType::F32 => GgmlDType::F32,
            DType::F16 => GgmlDType::F16,
            DType::Bf16 => GgmlDType::BF16,
            DType::Q4_0 => GgmlDType::Q4_0,
            DType::Q4_1 => GgmlDType::Q4_1,
            DType::Q5_0 => GgmlDType::Q5_0,
            DType::Q5_1 => GgmlDType::Q5_1,
            DType::Q8_0 => GgmlDType::Q8_0,
            DType::Q2K => GgmlDType::Q2K,
            DType::Q3K => GgmlDType::Q3K,
            DType::Q4K => GgmlDType::Q4K,
            DType::Q5K => GgmlDType::Q5K,
            DType::Q6K => GgmlDType::Q6K,
            DType::Q8K => GgmlDType::Q8K,
        }
    }

    /// Elements per block (1 for plain floats).
    pub fn block_elems(self) -> usize {
        self.ggml().block_size()
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> usize {
        self.ggml().type_size()
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F16 | DType::Bf16)
    }

    /// Bytes of `elems` elements, or None on overflow or a partial block.
    pub fn bytes_for(self, elems: u64) -> Option<u64> {
        let be = self.block_elems() as u64;
        if elems % be != 0 {
            return None;
        }
        (elems / be).checked_mul(self.block_bytes() as u64)
    }

    /// Relative RMS error (‖x − q(x)‖ / ‖x‖) that rounding an f32 tensor of
    /// typical weights into this type may leave, with headroom. f16/bf16:
    /// unit round-off 2^-11 / 2^-8 (uniform rounding error has RMS
    /// u/√3 of the value); block quantizers: measured on Gaussian and real
    /// weights (docs/weights.md), rounded up.
    pub fn allowance(self) -> f64 {
        match self {
            DType::F32 => 1e-6,
            DType::F16 => 1e-3,
            DType::Bf16 => 6e-3,
            DType::Q8_0 | DType::Q8K => 0.012,
            DType::Q6K => 0.025,
            DType::Q5_0 | DType::Q5_1 | DType::Q5K => 0.06,
            DType::Q4_0 | DType::Q4_1 | DType::Q4K => 0.14,
            DType::Q3K => 0.22,
            DType::Q2K => 0.4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F16 => "f16",
            DType::Bf16 => "bf16",
            DType::Q4_0 => "q4_0",
            DType::Q4_1 => "q4_1",
            DType::Q5_0 => "q5_0",
            DType::Q5_1 => "q5_1",
            DType::Q8_0 => "q8_0",
            DType::Q2K => "q2_k",
            DType::Q3K => "q3_k",
            DType::Q4K => "q4_k",
            DType::Q5K => "q5_k",
            DType::Q6K => "q6_k",
            DType::Q8K => "q8_k",
        }
    }
}

/// Allowed relative error between two stored copies of one tensor: the
/// rounding errors of the two types add in quadrature.
pub fn pair_allowance(a: DType, b: DType) -> f64 {
    (a.allowance().powi(2) + b.allowance().powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_match_ggml() {
        assert_eq!(DType::Q4_0.block_elems(), 32);
        assert_eq!(DType::Q4_0.block_bytes(), 18);
        assert_eq!(DType::Q4_1.block_bytes(), 20);
        assert_eq!(DType::Q6K.block_elems(), 256);
        assert_eq!(DType::F16.bytes_for(3), Some(6));
        assert_eq!(DType::Q8_0.bytes_for(33), None);
        assert_eq!(DType::F32.bytes_for(u64::MAX), None);
    }
}
