//! Decoding stored tensor bytes into f32, row by row, so callers can stream
//! a tensor in bounded memory. Plain floats are converted here; GGUF blocks
//! are dequantized by candle-core's block types (`GgmlDType::from_data` +
//! `dequantize`), one chunk of whole rows at a time. GGUF `llama` q/k rows
//! are returned in Hugging Face order (see [`super::gguf`]).

use std::borrow::Cow;

use candle_core::CpuStorage;

use super::checkpoint::Checkpoint;
use super::dtype::DType;
use super::error::{Result, WeightsError};
use super::TensorInfo;

/// Elements per decoded chunk in streaming passes (1 MiB of f32).
pub const CHUNK_ELEMS: usize = 1 << 18;

impl TensorInfo {
    /// Row length: the last (innermost) dimension.
    pub fn cols(&self) -> usize {
        self.shape.last().copied().unwrap_or(1).max(1)
    }
    pub fn rows(&self) -> usize {
        self.elems() / self.cols()
    }
    pub fn elems(&self) -> usize {
        self.shape.iter().product()
    }
    fn row_bytes(&self) -> usize {
        self.cols() / self.dtype.block_elems() * self.dtype.block_bytes()
    }
    /// Stored row holding Hugging Face row `r` (llama.cpp stores q/k rows
    /// of each head as interleaved halves: HF row j·d/2+i is stored at 2i+j).
    fn stored_row(&self, r: usize) -> usize {
        match self.rope_heads {
            None => r,
            Some(h) => {
                let d = self.shape[0] / h;
                let (head, w) = (r / d, r % d);
                let (j, i) = (w / (d / 2), w % (d / 2));
                head * d + 2 * i + j
            }
        }
    }
}

/// Append the f32 values of `raw` (whole blocks of `dtype`) to `out`.
pub fn decode_into(
    dtype: DType,
    raw: &[u8],
    out: &mut Vec<f32>,
) -> std::result::Result<(), String> {
    match dtype {
        DType::F32 => out.extend(
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        ),
        DType::F16 => out.extend(
            raw.chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()),
        ),
        DType::Bf16 => out.extend(
            raw.chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()),
        ),
        q => {
            let elems = raw.len() / q.block_bytes() * q.block_elems();
            let blocks = q.ggml().from_data(Cow::Borrowed(raw));
            match blocks.dequantize(elems).map_err(|e| e.to_string())? {
                CpuStorage::F32(v) => out.extend_from_slice(&v),
                _ => return Err("dequantization did not give f32".into()),
            }
        }
    }
    Ok(())
}

impl Checkpoint {
    /// Rows `r0..r0+n` of `t` as f32, appended to `out`.
    pub fn read_rows(&self, t: &TensorInfo, r0: usize, n: usize, out: &mut Vec<f32>) -> Result<()> {
        let raw = self.bytes(t);
        let rb = t.row_bytes();
        let fail = |e: String| {
            WeightsError::tensor(
                &self.files[t.file].path,
                &t.name,
                format!("cannot decode: {e}"),
            )
        };
        if t.rope_heads.is_none() {
            decode_into(t.dtype, &raw[r0 * rb..(r0 + n) * rb], out).map_err(fail)?;
            self.release(t.file, t.start + r0 * rb, n * rb);
            return Ok(());
        }
        for r in r0..r0 + n {
            let s = t.stored_row(r);
            decode_into(t.dtype, &raw[s * rb..(s + 1) * rb], out).map_err(fail)?;
        }
        Ok(())
    }

    /// The whole tensor as f32 (row-major, HF layout).
    pub fn read_all(&self, t: &TensorInfo) -> Result<Vec<f32>> {
        let mut v = Vec::with_capacity(t.elems());
        self.read_rows(t, 0, t.rows(), &mut v)?;
        Ok(v)
    }

    /// Stream `t` in chunks of whole rows: `f(first_row, values)`.
    pub fn for_each_chunk(&self, t: &TensorInfo, mut f: impl FnMut(usize, &[f32])) -> Result<()> {
        let per = (CHUNK_ELEMS / t.cols()).max(1);
        let mut buf = Vec::with_capacity(per * t.cols());
        let mut r = 0;
        while r < t.rows() {
            let n = per.min(t.rows() - r);
            buf.clear();
            self.read_rows(t, r, n, &mut buf)?;
            f(r, &buf);
            r += n;
        }
        Ok(())
    }

    /// Drop the pages of `len` bytes at `start` from this process's
    /// resident set once read, so streaming a checkpoint does not grow RSS
    /// to its size (the data stays in the page cache).
    pub fn release(&self, file: usize, start: usize, len: usize) {
        let map = &self.files[file].map;
        if start.checked_add(len).is_some_and(|e| e <= map.len()) && len > 0 {
            // SAFETY: the map is a read-only MAP_SHARED file mapping;
            // MADV_DONTNEED only makes the next access fault the page back
            // in from the file, so no data visible to Rust changes.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, len)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_rows_round_trip() {
        let t = TensorInfo {
            name: "q".into(),
            canonical: "blk.0.attn_q.weight".into(),
            dtype: DType::F32,
            shape: vec![8, 2],
            file: 0,
            start: 0,
            len: 64,
            rope_heads: Some(2),
        };
        let rows: Vec<usize> = (0..8).map(|r| t.stored_row(r)).collect();
        assert_eq!(rows, vec![0, 2, 1, 3, 4, 6, 5, 7]);
    }

    #[test]
    fn q8_0_block_dequantizes() {
        // One Q8_0 block: f16 scale 0.5, then 32 int8 values 0..31.
        let mut raw = half::f16::from_f32(0.5).to_le_bytes().to_vec();
        raw.extend((0..32).map(|i| i as u8));
        let mut out = Vec::new();
        decode_into(DType::Q8_0, &raw, &mut out).unwrap();
        assert_eq!(out.len(), 32);
        assert_eq!(out[3], 1.5);
    }
}
