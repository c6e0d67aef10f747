//! Decoding stored tensor bytes into f32, row by row, so callers can stream
//! a tensor in bounded memory. Plain floats are converted here; GGUF blocks
//! are dequantized by candle-core's block types (`GgmlDType::from_data` +
//! `dequantize`), one chunk of whole rows at a time. GGUF `llama` q/k rows
//! are returned in Hugging Face order (see [`super::gguf`]). Stored bytes
//! come from positioned reads into a bounded per-thread buffer (f32 data
//! straight into the output), never from a memory map, so reading a
//! checkpoint does not add its pages to this process's resident set.

use std::borrow::Cow;
use std::cell::RefCell;

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

/// Element spans `(first, count)` of a streaming pass over `t`: whole
/// rows, `CHUNK_ELEMS / cols` at a time (the split the statistics have
/// always used, so their sums keep their order), or flat runs of
/// `CHUNK_ELEMS` elements (whole blocks of any type) when one row is longer,
/// so a huge 1-D tensor never needs a buffer of its size.
pub fn spans(t: &TensorInfo) -> impl Iterator<Item = (usize, usize)> {
    let (cols, total) = (t.cols(), t.elems());
    let step = if cols <= CHUNK_ELEMS {
        CHUNK_ELEMS / cols * cols
    } else {
        CHUNK_ELEMS
    };
    (0..total)
        .step_by(step)
        .map(move |e| (e, step.min(total - e)))
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

/// Most stored bytes read and decoded at once (bounds the per-thread
/// scratch buffer whatever the row length).
const SPAN_BYTES: usize = 1 << 20;

thread_local! {
    /// Stored bytes of the span being decoded, reused across reads.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// View initialised f32s as bytes to read little-endian f32 data into.
fn f32_bytes_mut(v: &mut [f32]) -> &mut [u8] {
    // SAFETY: u8 has alignment 1, the length covers exactly the f32s, and
    // every byte pattern is a valid f32.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

impl Checkpoint {
    /// Rows `r0..r0+n` of `t` as f32, appended to `out`.
    pub fn read_rows(&self, t: &TensorInfo, r0: usize, n: usize, out: &mut Vec<f32>) -> Result<()> {
        self.read_elems(t, r0 * t.cols(), n * t.cols(), out)
    }

    /// Elements `e0..e0+n` of `t` (row-major, HF layout) as f32, appended
    /// to `out`; both must be multiples of the block size.
    pub fn read_elems(
        &self,
        t: &TensorInfo,
        e0: usize,
        n: usize,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        if t.rope_heads.is_none() {
            return self.read_stored(t, e0, n, out);
        }
        let cols = t.cols();
        let (mut e, end) = (e0, e0 + n);
        while e < end {
            let (r, c) = (e / cols, e % cols);
            let m = (cols - c).min(end - e);
            self.read_stored(t, t.stored_row(r) * cols + c, m, out)?;
            e += m;
        }
        Ok(())
    }

    /// Stored elements `e0..e0+n` decoded, read with positioned reads in
    /// spans of at most [`SPAN_BYTES`]; f32 data is read straight into `out`.
    fn read_stored(&self, t: &TensorInfo, e0: usize, n: usize, out: &mut Vec<f32>) -> Result<()> {
        let f = &self.files[t.file];
        let fail = |e: String| WeightsError::tensor(&f.path, &t.name, e);
        let (be, bb) = (t.dtype.block_elems(), t.dtype.block_bytes());
        if e0 % be != 0 || n % be != 0 || !e0.checked_add(n).is_some_and(|e| e <= t.elems()) {
            return Err(fail(format!(
                "cannot read elements {e0}..+{n}: not whole blocks inside the tensor"
            )));
        }
        let span = (SPAN_BYTES / bb).max(1) * be;
        let mut e = e0;
        while e < e0 + n {
            let m = span.min(e0 + n - e);
            let off = (t.start + e / be * bb) as u64;
            let len = m / be * bb;
            let read_err = |x: std::io::Error| {
                fail(format!(
                    "cannot read bytes [{off}, {}): {x}",
                    off + len as u64
                ))
            };
            if t.dtype == DType::F32 && cfg!(target_endian = "little") {
                let old = out.len();
                out.resize(old + m, 0.0);
                f.read_exact_at(f32_bytes_mut(&mut out[old..]), off)
                    .map_err(read_err)?;
            } else {
                SCRATCH.with_borrow_mut(|buf| -> Result<()> {
                    buf.resize(len, 0);
                    f.read_exact_at(buf, off).map_err(read_err)?;
                    decode_into(t.dtype, buf, out).map_err(|x| fail(format!("cannot decode: {x}")))
                })?;
            }
            e += m;
        }
        Ok(())
    }

    /// The whole tensor as f32 (row-major, HF layout).
    pub fn read_all(&self, t: &TensorInfo) -> Result<Vec<f32>> {
        let mut v = Vec::with_capacity(t.elems());
        self.read_elems(t, 0, t.elems(), &mut v)?;
        Ok(v)
    }

    /// Stream all of `t` in the spans of [`spans`]: `f(values)`.
    pub fn for_each_span(&self, t: &TensorInfo, mut f: impl FnMut(&[f32])) -> Result<()> {
        let mut buf = Vec::new();
        for (e0, n) in spans(t) {
            buf.clear();
            self.read_elems(t, e0, n, &mut buf)?;
            f(&buf);
        }
        Ok(())
    }

    /// Stream `t` in chunks of whole rows: `f(first_row, values)`.
    pub fn for_each_chunk(&self, t: &TensorInfo, mut f: impl FnMut(usize, &[f32])) -> Result<()> {
        self.for_each_chunk_try(t, |r, xs| {
            f(r, xs);
            Ok(())
        })
    }

    /// [`Self::for_each_chunk`] with a fallible callback.
    pub fn for_each_chunk_try(
        &self,
        t: &TensorInfo,
        mut f: impl FnMut(usize, &[f32]) -> Result<()>,
    ) -> Result<()> {
        let per = (CHUNK_ELEMS / t.cols()).max(1);
        let mut buf = Vec::with_capacity(per * t.cols());
        let mut r = 0;
        while r < t.rows() {
            let n = per.min(t.rows() - r);
            buf.clear();
            self.read_rows(t, r, n, &mut buf)?;
            f(r, &buf)?;
            r += n;
        }
        Ok(())
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
    fn spans_keep_rows_or_bound_long_ones() {
        let mut t = TensorInfo {
            name: "w".into(),
            canonical: "w".into(),
            dtype: DType::F32,
            shape: vec![10, 100_000],
            file: 0,
            start: 0,
            len: 4_000_000,
            rope_heads: None,
        };
        // Two rows per span (the historical row split).
        let s: Vec<_> = spans(&t).collect();
        assert_eq!(s.len(), 5);
        assert!(s.iter().all(|&(_, n)| n == 200_000));
        // One 1-D tensor longer than a chunk: flat, bounded spans.
        t.shape = vec![600_000];
        let s: Vec<_> = spans(&t).collect();
        assert_eq!(
            s,
            vec![
                (0, CHUNK_ELEMS),
                (CHUNK_ELEMS, CHUNK_ELEMS),
                (2 * CHUNK_ELEMS, 600_000 - 2 * CHUNK_ELEMS)
            ]
        );
    }

    #[test]
    fn file_shrunk_after_open_is_an_error_naming_the_tensor() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.safetensors");
        let mut ts = crate::weights::synth::Tensors::new();
        ts.insert("w".into(), (vec![64, 64], vec![0.5; 64 * 64]));
        crate::weights::synth::write_safetensors(&p, &ts).unwrap();
        let ck = Checkpoint::open(&p).unwrap();
        assert_eq!(ck.read_all(&ck.tensors[0]).unwrap()[4095], 0.5);
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(1000).unwrap();
        let e = ck.read_all(&ck.tensors[0]).unwrap_err().to_string();
        assert!(e.contains("tensor `w`"), "{e}");
        assert!(e.contains("cannot read"), "{e}");
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
