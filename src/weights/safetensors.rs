//! Defensive reader for safetensors files and sharded Hugging Face
//! checkpoints.
//!
//! Format (huggingface/safetensors): 8-byte little-endian header length N,
//! N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}}`
//! (plus optional `__metadata__`), then the data buffer. We check what the
//! format promises before touching data: the header fits the file and a
//! size cap, every shape's element count and byte size are computed with
//! checked arithmetic and match the dtype, offsets lie inside the buffer,
//! tensors neither overlap nor leave gaps, and the buffer has no trailing
//! bytes. A sharded checkpoint's `model.safetensors.index.json` must name
//! plain files next to it and agree exactly with what the shards hold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::dtype::DType;
use super::error::{Result, WeightsError};
use super::names::canonical;
use super::TensorInfo;

/// Largest accepted JSON header (the format's reference reader uses 100 MB).
pub const MAX_HEADER: u64 = 100 << 20;
/// Most tensors in one file.
pub const MAX_TENSORS: usize = 1 << 20;
/// Largest accepted shard index.
pub const MAX_INDEX: u64 = 64 << 20;

/// Parse the header of a mapped safetensors file; `file` is its index in the
/// checkpoint's file list.
pub fn parse(path: &Path, bytes: &[u8], file: usize) -> Result<Vec<TensorInfo>> {
    let err = |why: String| WeightsError::header(path, why);
    if bytes.len() < 8 {
        return Err(err(format!(
            "file is truncated ({} bytes; a safetensors file starts with an 8-byte header length)",
            bytes.len()
        )));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let avail = bytes.len() as u64 - 8;
    if n > MAX_HEADER {
        return Err(err(format!(
            "header length {n} exceeds the cap of {MAX_HEADER} bytes"
        )));
    }
    if n > avail {
        return Err(err(format!(
            "header length {n} is larger than the rest of the file ({avail} bytes): truncated or not safetensors"
        )));
    }
    let header = &bytes[8..8 + n as usize];
    let json: serde_json::Value = serde_json::from_slice(header)
        .map_err(|e| err(format!("header is not valid JSON: {e}")))?;
    let obj = json
        .as_object()
        .ok_or_else(|| err("header is not a JSON object".into()))?;
    if obj.len() > MAX_TENSORS {
        return Err(err(format!("more than {MAX_TENSORS} tensors")));
    }
    let data_start = 8 + n as usize;
    let data_len = (bytes.len() - data_start) as u64;
    let mut out = Vec::with_capacity(obj.len());
    for (name, v) in obj {
        if name == "__metadata__" {
            continue;
        }
        let (dtype, shape, b, e) = entry(path, name, v)?;
        let terr = |why: String| WeightsError::tensor(path, name, why);
        let elems = shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| terr(format!("shape {shape:?} overflows")))?;
        let want = dtype
            .bytes_for(elems)
            .ok_or_else(|| terr(format!("shape {shape:?} overflows")))?;
        if e < b {
            return Err(terr(format!(
                "data_offsets [{b}, {e}] end before they begin"
            )));
        }
        if e - b != want {
            return Err(terr(format!(
                "holds {} bytes but {} of shape {shape:?} needs {want}",
                e - b,
                dtype.as_str()
            )));
        }
        if e > data_len {
            return Err(terr(format!(
                "data_offsets [{b}, {e}] lie outside the data buffer ({data_len} bytes)"
            )));
        }
        let shape = shape
            .iter()
            .map(|&d| usize::try_from(d).map_err(|_| terr("dimension too large".into())))
            .collect::<Result<Vec<_>>>()?;
        out.push(TensorInfo {
            name: name.clone(),
            canonical: canonical(name),
            dtype,
            shape,
            file,
            start: data_start + b as usize,
            len: (e - b) as usize,
            rope_heads: None,
        });
    }
    check_layout(path, &mut out, data_start, bytes.len())?;
    Ok(out)
}

/// One header entry: dtype, shape and data offsets.
fn entry(path: &Path, name: &str, v: &serde_json::Value) -> Result<(DType, Vec<u64>, u64, u64)> {
    let terr = |why: &str| WeightsError::tensor(path, name, why.to_string());
    let o = v
        .as_object()
        .ok_or_else(|| terr("entry is not an object"))?;
    let ds = o
        .get("dtype")
        .and_then(|d| d.as_str())
        .ok_or_else(|| terr("missing dtype"))?;
    let dtype = DType::from_safetensors(ds).ok_or_else(|| {
        WeightsError::tensor(
            path,
            name,
            format!("unknown or unsupported dtype `{ds}` (weights must be F32, F16 or BF16)"),
        )
    })?;
    let shape = o
        .get("shape")
        .and_then(|s| s.as_array())
        .ok_or_else(|| terr("missing shape"))?;
    if shape.len() > 8 {
        return Err(terr("more than 8 dimensions"));
    }
    let shape = shape
        .iter()
        .map(|d| d.as_u64().ok_or_else(|| terr("shape holds a non-integer")))
        .collect::<Result<Vec<_>>>()?;
    let offs = o
        .get("data_offsets")
        .and_then(|s| s.as_array())
        .filter(|a| a.len() == 2)
        .ok_or_else(|| terr("data_offsets must be [begin, end]"))?;
    let b = offs[0].as_u64().ok_or_else(|| terr("bad data_offsets"))?;
    let e = offs[1].as_u64().ok_or_else(|| terr("bad data_offsets"))?;
    Ok((dtype, shape, b, e))
}

/// Tensors must tile the data buffer exactly: no overlap, no gap, no
/// trailing bytes (the reference reader enforces the same).
fn check_layout(
    path: &Path,
    ts: &mut [TensorInfo],
    data_start: usize,
    file_len: usize,
) -> Result<()> {
    ts.sort_by_key(|t| (t.start, t.len));
    let mut at = data_start;
    for t in ts.iter() {
        if t.start < at {
            return Err(WeightsError::tensor(
                path,
                &t.name,
                format!(
                    "overlaps the previous tensor (starts at data offset {}, previous ends at {})",
                    t.start - data_start,
                    at - data_start
                ),
            ));
        }
        if t.start > at {
            return Err(WeightsError::tensor(
                path,
                &t.name,
                format!(
                    "leaves a gap of {} bytes before it (data offset {})",
                    t.start - at,
                    t.start - data_start
                ),
            ));
        }
        at = t.start + t.len;
    }
    if at != file_len {
        return Err(WeightsError::header(
            path,
            format!(
                "{} bytes after the last tensor belong to no tensor",
                file_len - at
            ),
        ));
    }
    Ok(())
}

/// Shard files named by `model.safetensors.index.json`, in sorted order,
/// with the tensor-to-shard map to verify against.
pub struct ShardIndex {
    pub files: Vec<String>,
    pub weight_map: BTreeMap<String, String>,
}

pub fn read_index(path: &Path) -> Result<ShardIndex> {
    let err = |why: String| WeightsError::Shard {
        path: path.to_path_buf(),
        why,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| WeightsError::io(path, e))?
        .len();
    if len > MAX_INDEX {
        return Err(err(format!(
            "index is {len} bytes, over the cap of {MAX_INDEX}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| WeightsError::io(path, e))?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let map = v
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| err("no `weight_map` object".into()))?;
    let mut weight_map = BTreeMap::new();
    let mut files = BTreeSet::new();
    for (t, f) in map {
        let f = f
            .as_str()
            .ok_or_else(|| err(format!("`{t}` maps to a non-string")))?;
        if f.is_empty() || f.contains(['/', '\\']) || f == ".." || f == "." {
            return Err(err(format!(
                "`{t}` maps to `{f}`, which is not a plain file name next to the index"
            )));
        }
        files.insert(f.to_string());
        weight_map.insert(t.clone(), f.to_string());
    }
    if files.is_empty() {
        return Err(err("`weight_map` is empty".into()));
    }
    Ok(ShardIndex {
        files: files.into_iter().collect(),
        weight_map,
    })
}

/// The shards must hold exactly the tensors the index assigns them.
pub fn check_index(index_path: &Path, idx: &ShardIndex, tensors: &[TensorInfo]) -> Result<()> {
    let err = |why: String| WeightsError::Shard {
        path: index_path.to_path_buf(),
        why,
    };
    let mut seen = BTreeSet::new();
    for t in tensors {
        let shard = &idx.files[t.file];
        if !seen.insert(t.name.as_str()) {
            return Err(err(format!(
                "tensor `{}` is stored in more than one shard",
                t.name
            )));
        }
        match idx.weight_map.get(&t.name) {
            Some(f) if f == shard => {}
            Some(f) => {
                return Err(err(format!(
                    "tensor `{}` is listed in {f} but stored in {shard}",
                    t.name
                )))
            }
            None => {
                return Err(err(format!(
                    "tensor `{}` in {shard} is missing from the index",
                    t.name
                )))
            }
        }
    }
    if let Some(missing) = idx.weight_map.keys().find(|k| !seen.contains(k.as_str())) {
        return Err(err(format!(
            "tensor `{missing}` is listed in {} but not stored there",
            idx.weight_map[missing]
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: usize) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.resize(v.len() + data, 0);
        v
    }

    #[test]
    fn parses_and_rejects() {
        let p = Path::new("x.safetensors");
        let ok = file(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            8,
        );
        assert_eq!(parse(p, &ok, 0).unwrap()[0].shape, vec![2]);
        let gap = file(
            r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            8,
        );
        assert!(parse(p, &gap, 0).unwrap_err().to_string().contains("gap"));
        let big = file(
            r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(parse(p, &big, 0)
            .unwrap_err()
            .to_string()
            .contains("overflows"));
        let i8 = file(
            r#"{"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(parse(p, &i8, 0).unwrap_err().to_string().contains("dtype"));
    }
}
