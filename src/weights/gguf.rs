//! Defensive reader for GGUF (v2/v3) headers.
//!
//! Layout (ggml docs/gguf.md): magic `GGUF`, version, tensor count, metadata
//! count, metadata key/value pairs, tensor infos (name, dims innermost
//! first, ggml type, offset), padding to `general.alignment`, tensor data.
//! Every length read from the file is checked against what remains of the
//! file and against a cap *before* anything is allocated; arrays (e.g. the
//! tokenizer vocabulary) are skipped, only their length is kept. Tensor
//! data must lie inside the file, aligned, without overlapping another
//! tensor, with a byte count matching its type and shape. The block-level
//! dequantization is left to candle-core's `k_quants` block types
//! (see [`super::decode`]).

use std::collections::BTreeMap;
use std::path::Path;

use super::dtype::DType;
use super::error::{Result, WeightsError};
use super::names::{canonical, layer_role};
use super::TensorInfo;

pub const MAX_TENSORS: u64 = 1 << 20;
pub const MAX_KV: u64 = 1 << 20;
pub const MAX_STRING: u64 = 1 << 20;
pub const MAX_ARRAY: u64 = 1 << 26;
pub const MAX_DIMS: u32 = 4;

/// A metadata value we keep (arrays are reduced to their length).
#[derive(Debug, Clone, PartialEq)]
pub enum Meta {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    Array(u64),
}

impl Meta {
    pub fn as_usize(&self) -> Option<usize> {
        match self {
            Meta::Int(i) => usize::try_from(*i).ok(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Meta::Float(f) => Some(*f),
            Meta::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

pub struct Parsed {
    pub meta: BTreeMap<String, Meta>,
    pub tensors: Vec<TensorInfo>,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    fn err(&self, why: String) -> WeightsError {
        WeightsError::header(self.path, format!("{why} (at byte {})", self.pos))
    }
    fn take(&mut self, n: u64) -> Result<&'a [u8]> {
        let rest = (self.b.len() - self.pos) as u64;
        if n > rest {
            return Err(self.err(format!(
                "needs {n} more bytes but only {rest} remain: file is truncated"
            )));
        }
        let s = &self.b[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u64()?;
        if n > MAX_STRING {
            return Err(self.err(format!(
                "string of {n} bytes exceeds the cap of {MAX_STRING}"
            )));
        }
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).map_err(|_| self.err("string is not UTF-8".into()))
    }
    /// Value of GGUF type `ty`; arrays nest at most `depth` deep.
    fn value(&mut self, ty: u32, depth: u32) -> Result<Meta> {
        Ok(match ty {
            0 => Meta::Int(self.take(1)?[0] as i128),
            1 => Meta::Int(self.take(1)?[0] as i8 as i128),
            2 => Meta::Int(u16::from_le_bytes(self.take(2)?.try_into().expect("2")) as i128),
            3 => Meta::Int(i16::from_le_bytes(self.take(2)?.try_into().expect("2")) as i128),
            4 => Meta::Int(self.u32()? as i128),
            5 => Meta::Int(self.u32()? as i32 as i128),
            6 => Meta::Float(f32::from_bits(self.u32()?) as f64),
            7 => Meta::Bool(self.take(1)?[0] != 0),
            8 => Meta::Str(self.string()?),
            9 => {
                if depth == 0 {
                    return Err(self.err("arrays nested too deeply".into()));
                }
                let et = self.u32()?;
                let n = self.u64()?;
                if n > MAX_ARRAY {
                    return Err(self.err(format!("array of {n} elements exceeds the cap")));
                }
                for _ in 0..n {
                    self.value(et, depth - 1)?;
                }
                Meta::Array(n)
            }
            10 => Meta::Int(self.u64()? as i128),
            11 => Meta::Int(self.u64()? as i64 as i128),
            12 => Meta::Float(f64::from_bits(self.u64()?)),
            t => return Err(self.err(format!("unknown metadata value type {t}"))),
        })
    }
}

/// Parse a mapped GGUF file.
pub fn parse(path: &Path, bytes: &[u8], file: usize) -> Result<Parsed> {
    let mut r = Reader {
        b: bytes,
        pos: 0,
        path,
    };
    let magic = r.take(4)?;
    if magic != b"GGUF" {
        return Err(r.err("not a GGUF file (magic is not `GGUF`)".into()));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.err(format!(
            "unsupported GGUF version {version} (2 and 3 are read)"
        )));
    }
    let n_t = r.u64()?;
    let n_kv = r.u64()?;
    if n_t > MAX_TENSORS || n_kv > MAX_KV {
        return Err(r.err(format!(
            "{n_t} tensors / {n_kv} metadata entries exceed the caps"
        )));
    }
    let mut meta = BTreeMap::new();
    for _ in 0..n_kv {
        let k = r.string()?;
        let ty = r.u32()?;
        let v = r.value(ty, 2)?;
        meta.insert(k, v);
    }
    let mut raw = Vec::new();
    for _ in 0..n_t {
        let name = r.string()?;
        let nd = r.u32()?;
        if nd == 0 || nd > MAX_DIMS {
            return Err(WeightsError::tensor(
                path,
                &name,
                format!("{nd} dimensions (1 to {MAX_DIMS} allowed)"),
            ));
        }
        let mut dims = Vec::new();
        for _ in 0..nd {
            dims.push(r.u64()?);
        }
        let ty = r.u32()?;
        let off = r.u64()?;
        raw.push((name, dims, ty, off));
    }
    let align = match meta.get("general.alignment") {
        None => 32,
        Some(m) => m
            .as_usize()
            .filter(|a| a.is_power_of_two() && (8..=1 << 20).contains(a))
            // Below 8, quantized blocks could sit misaligned in memory.
            .ok_or_else(|| {
                r.err("general.alignment must be a power of two from 8 to 1 MiB".into())
            })?,
    };
    let data_start = r.pos.checked_next_multiple_of(align).unwrap_or(usize::MAX);
    if data_start > bytes.len() {
        return Err(r.err("tensor data would start past the end of the file".into()));
    }
    let rope = rope_heads(&meta);
    let mut tensors = Vec::with_capacity(raw.len());
    for (name, dims, ty, off) in raw {
        tensors.push(tensor(
            path,
            bytes.len(),
            data_start,
            align,
            name,
            dims,
            ty,
            off,
            file,
            &rope,
        )?);
    }
    check_overlap(path, &mut tensors)?;
    Ok(Parsed { meta, tensors })
}

#[allow(clippy::too_many_arguments)]
fn tensor(
    path: &Path,
    file_len: usize,
    data_start: usize,
    align: usize,
    name: String,
    dims: Vec<u64>,
    ty: u32,
    off: u64,
    file: usize,
    rope: &Option<(usize, usize)>,
) -> Result<TensorInfo> {
    let terr = |why: String| WeightsError::tensor(path, &name, why);
    let dtype = DType::from_ggml(ty)
        .ok_or_else(|| terr(format!("unknown or unsupported ggml type {ty}")))?;
    if dims.contains(&0) {
        return Err(terr(format!("zero dimension in {dims:?}")));
    }
    let elems = dims
        .iter()
        .try_fold(1u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| terr(format!("shape {dims:?} overflows")))?;
    if dims[0] % dtype.block_elems() as u64 != 0 {
        return Err(terr(format!(
            "row length {} is not a multiple of the {} block size {}",
            dims[0],
            dtype.as_str(),
            dtype.block_elems()
        )));
    }
    let nbytes = dtype
        .bytes_for(elems)
        .ok_or_else(|| terr(format!("shape {dims:?} overflows")))?;
    if off % align as u64 != 0 {
        return Err(terr(format!("offset {off} is not aligned to {align}")));
    }
    let start = (data_start as u64)
        .checked_add(off)
        .ok_or_else(|| terr("offset overflows".into()))?;
    let end = start
        .checked_add(nbytes)
        .ok_or_else(|| terr("offset overflows".into()))?;
    if end > file_len as u64 {
        return Err(terr(format!(
            "data [{start}, {end}) lies outside the file ({file_len} bytes): truncated?"
        )));
    }
    let shape: Vec<usize> = dims.iter().rev().map(|&d| d as usize).collect();
    let canon = canonical(&name);
    // llama.cpp's converter reorders the rows of q and k inside each head
    // for its RoPE kernel; record the head count so rows can be read back in
    // Hugging Face order.
    let rope_heads = match (rope, layer_role(&canon)) {
        (Some((h, _)), Some((_, "attn_q"))) => Some(*h),
        (Some((_, kv)), Some((_, "attn_k"))) => Some(*kv),
        _ => None,
    };
    if let Some(h) = rope_heads {
        if shape.len() != 2 || shape[0] % h != 0 || (shape[0] / h) % 2 != 0 {
            return Err(terr(format!(
                "shape {shape:?} does not split into {h} RoPE heads"
            )));
        }
    }
    Ok(TensorInfo {
        name,
        canonical: canon,
        dtype,
        shape,
        file,
        start: start as usize,
        len: nbytes as usize,
        rope_heads,
    })
}

/// (q heads, kv heads) when the file is a `llama` GGUF, whose q/k rows are
/// stored in llama.cpp's RoPE order.
fn rope_heads(meta: &BTreeMap<String, Meta>) -> Option<(usize, usize)> {
    match meta.get("general.architecture") {
        Some(Meta::Str(a)) if a == "llama" => {}
        _ => return None,
    }
    let h = meta.get("llama.attention.head_count")?.as_usize()?;
    let kv = meta
        .get("llama.attention.head_count_kv")
        .and_then(|m| m.as_usize())
        .unwrap_or(h);
    (h > 0 && kv > 0).then_some((h, kv))
}

fn check_overlap(path: &Path, ts: &mut [TensorInfo]) -> Result<()> {
    ts.sort_by_key(|t| (t.start, t.len));
    for w in ts.windows(2) {
        if w[1].start < w[0].start + w[0].len {
            return Err(WeightsError::tensor(
                path,
                &w[1].name,
                format!("data overlaps tensor `{}`", w[0].name),
            ));
        }
    }
    Ok(())
}
