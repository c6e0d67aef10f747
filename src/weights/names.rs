//! Canonical tensor names. Llama-family checkpoints name the same tensor
//! differently in Hugging Face layout (`model.layers.3.mlp.gate_proj.weight`)
//! and in GGUF (`blk.3.ffn_gate.weight`); we use the GGUF spelling as the
//! canonical one so that the two layouts can be compared tensor by tensor.
//! Names we do not know pass through unchanged.

/// (HF suffix inside a layer, GGUF suffix inside a block).
const LAYER: &[(&str, &str)] = &[
    ("self_attn.q_proj", "attn_q"),
    ("self_attn.k_proj", "attn_k"),
    ("self_attn.v_proj", "attn_v"),
    ("self_attn.o_proj", "attn_output"),
    ("mlp.gate_proj", "ffn_gate"),
    ("mlp.up_proj", "ffn_up"),
    ("mlp.down_proj", "ffn_down"),
    ("input_layernorm", "attn_norm"),
    ("post_attention_layernorm", "ffn_norm"),
];

const GLOBAL: &[(&str, &str)] = &[
    ("model.embed_tokens", "token_embd"),
    ("model.norm", "output_norm"),
    ("lm_head", "output"),
];

/// Canonical (GGUF-style) name of an HF or GGUF tensor name.
pub fn canonical(name: &str) -> String {
    let (stem, kind) = split_kind(name);
    for (hf, gg) in GLOBAL {
        if stem == *hf {
            return format!("{gg}.{kind}");
        }
    }
    if let Some(rest) = stem.strip_prefix("model.layers.") {
        if let Some((n, sub)) = rest.split_once('.') {
            if n.parse::<usize>().is_ok() {
                if let Some((_, gg)) = LAYER.iter().find(|(hf, _)| *hf == sub) {
                    return format!("blk.{n}.{gg}.{kind}");
                }
            }
        }
    }
    name.to_string()
}

/// HF name of a canonical name (the inverse of [`canonical`]).
pub fn hf_name(canon: &str) -> String {
    let (stem, kind) = split_kind(canon);
    for (hf, gg) in GLOBAL {
        if stem == *gg {
            return format!("{hf}.{kind}");
        }
    }
    if let Some(rest) = stem.strip_prefix("blk.") {
        if let Some((n, sub)) = rest.split_once('.') {
            if let Some((hf, _)) = LAYER.iter().find(|(_, gg)| *gg == sub) {
                return format!("model.layers.{n}.{hf}.{kind}");
            }
        }
    }
    canon.to_string()
}

/// `(stem, "weight"|"bias")`; other names have kind "".
fn split_kind(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((s, k)) if k == "weight" || k == "bias" => (s, k),
        _ => (name, ""),
    }
}

/// Layer index and role (`ffn_gate`, `attn_q`, ...) of a canonical name.
pub fn layer_role(canon: &str) -> Option<(usize, &str)> {
    let rest = canon.strip_prefix("blk.")?;
    let (n, sub) = rest.split_once('.')?;
    let role = sub.strip_suffix(".weight")?;
    Some((n.parse().ok()?, role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hf_and_gguf_meet() {
        assert_eq!(
            canonical("model.layers.12.mlp.gate_proj.weight"),
            "blk.12.ffn_gate.weight"
        );
        assert_eq!(
            canonical("blk.12.ffn_gate.weight"),
            "blk.12.ffn_gate.weight"
        );
        assert_eq!(canonical("model.embed_tokens.weight"), "token_embd.weight");
        assert_eq!(canonical("lm_head.weight"), "output.weight");
        assert_eq!(
            canonical("model.layers.x.mlp.gate_proj.weight"),
            "model.layers.x.mlp.gate_proj.weight"
        );
        for n in [
            "model.layers.0.self_attn.o_proj.weight",
            "model.layers.3.self_attn.q_proj.bias",
            "model.norm.weight",
        ] {
            assert_eq!(hf_name(&canonical(n)), n);
        }
        assert_eq!(layer_role("blk.4.attn_q.weight"), Some((4, "attn_q")));
    }
}
