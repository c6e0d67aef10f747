//! GGUF loading: the tiny random Llama converted to a GGUF file the way
//! llama.cpp does it (tensor names, Q/K rows permuted for interleaved
//! rotary embeddings, tokenizer and chat template in the metadata, no
//! tokenizer.json) must tokenize, template and compute like the original.

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use lineage::model::tiny::{self, write_tiny, TinySpec};
use lineage::model::Model;

/// llama.cpp's `permute` of Q/K rows: halves layout -> interleaved pairs.
fn permute(w: &Tensor, heads: usize) -> Tensor {
    let (out, inp) = w.dims2().unwrap();
    w.reshape((heads, 2, out / heads / 2, inp))
        .unwrap()
        .transpose(1, 2)
        .unwrap()
        .contiguous()
        .unwrap()
        .reshape((out, inp))
        .unwrap()
}

fn gguf_name(hf: &str) -> String {
    let fixed = [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ];
    if let Some((_, g)) = fixed.iter().find(|(h, _)| *h == hf) {
        return g.to_string();
    }
    let rest = hf.strip_prefix("model.layers.").unwrap();
    let (layer, part) = rest.split_once('.').unwrap();
    let part = [
        ("self_attn.q_proj", "attn_q"),
        ("self_attn.k_proj", "attn_k"),
        ("self_attn.v_proj", "attn_v"),
        ("self_attn.o_proj", "attn_output"),
        ("mlp.gate_proj", "ffn_gate"),
        ("mlp.up_proj", "ffn_up"),
        ("mlp.down_proj", "ffn_down"),
        ("input_layernorm", "attn_norm"),
        ("post_attention_layernorm", "ffn_norm"),
    ]
    .iter()
    .fold(part.to_string(), |p, (h, g)| p.replace(h, g));
    format!("blk.{layer}.{part}")
}

fn write_gguf(hf_dir: &std::path::Path, path: &std::path::Path, spec: TinySpec, dtype: GgmlDType) {
    let tensors =
        candle_core::safetensors::load(hf_dir.join("model.safetensors"), &Device::Cpu).unwrap();
    let mut q: Vec<(String, QTensor)> = Vec::new();
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    for name in names {
        let mut t = tensors[name].clone();
        if name.ends_with("q_proj.weight") {
            t = permute(&t, spec.heads);
        } else if name.ends_with("k_proj.weight") {
            t = permute(&t, spec.kv_heads);
        }
        // Norms stay f32, as llama.cpp keeps them.
        let dt = if t.rank() == 1 { GgmlDType::F32 } else { dtype };
        q.push((gguf_name(name), QTensor::quantize(&t, dt).unwrap()));
    }
    let tok = tiny::tokenizer().unwrap();
    let mut vocab: Vec<(String, u32)> = tok.get_vocab(true).into_iter().collect();
    vocab.sort_by_key(|x| x.1);
    let u = |x: usize| Value::U32(x as u32);
    let md: Vec<(&str, Value)> = vec![
        ("general.architecture", Value::String("llama".into())),
        ("llama.embedding_length", u(spec.hidden)),
        ("llama.feed_forward_length", u(spec.intermediate)),
        ("llama.block_count", u(spec.layers)),
        ("llama.attention.head_count", u(spec.heads)),
        ("llama.attention.head_count_kv", u(spec.kv_heads)),
        ("llama.attention.layer_norm_rms_epsilon", Value::F32(1e-5)),
        ("llama.rope.freq_base", Value::F32(10000.0)),
        ("llama.context_length", u(512)),
        ("tokenizer.ggml.model", Value::String("gpt2".into())),
        (
            "tokenizer.ggml.tokens",
            Value::Array(
                vocab
                    .iter()
                    .map(|(t, _)| Value::String(t.clone()))
                    .collect(),
            ),
        ),
        (
            "tokenizer.ggml.token_type",
            Value::Array(
                vocab
                    .iter()
                    .map(|(t, _)| {
                        Value::I32(if tiny::SPECIALS.contains(&t.as_str()) {
                            3
                        } else {
                            1
                        })
                    })
                    .collect(),
            ),
        ),
        ("tokenizer.ggml.merges", Value::Array(Vec::new())),
        ("tokenizer.ggml.bos_token_id", u(0)),
        ("tokenizer.ggml.eos_token_id", u(2)),
        (
            "tokenizer.chat_template",
            Value::String(tiny::CHATML.into()),
        ),
    ];
    let md_refs: Vec<(&str, &Value)> = md.iter().map(|(k, v)| (*k, v)).collect();
    let t_refs: Vec<(&str, &QTensor)> = q.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut f = std::fs::File::create(path).unwrap();
    gguf_file::write(&mut f, &md_refs, &t_refs).unwrap();
}

fn logits(m: &Model, ids: &[u32]) -> Vec<Vec<f32>> {
    let input = Tensor::new(ids, &Device::Cpu)
        .unwrap()
        .unsqueeze(0)
        .unwrap();
    let h = m.net.hidden(&input, &mut m.net.new_cache()).unwrap();
    m.net
        .logits(&h.squeeze(0).unwrap())
        .unwrap()
        .to_vec2()
        .unwrap()
}

#[test]
fn gguf_copy_computes_like_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let spec = TinySpec::default();
    let hf = dir.path().join("hf");
    write_tiny(&hf, 11, spec).unwrap();
    let gguf = dir.path().join("tiny-f32.gguf");
    write_gguf(&hf, &gguf, spec, GgmlDType::F32);
    let a = Model::load(&hf, &Device::Cpu).unwrap();
    let b = Model::load(&gguf, &Device::Cpu).unwrap();
    assert_eq!(b.name, "tiny-f32");
    let prompt = "Héllo, wörld! 12345 <|im_end|>";
    let ids = a.codec.prompt_ids(prompt).unwrap();
    assert_eq!(ids, b.codec.prompt_ids(prompt).unwrap());
    assert_eq!(a.codec.stop, b.codec.stop);
    assert_eq!(
        b.codec
            .decode(&b.codec.encode("naïve ünïcode", false).unwrap()),
        "naïve ünïcode"
    );
    let (la, lb) = (logits(&a, &ids), logits(&b, &ids));
    let worst = la
        .iter()
        .flatten()
        .zip(lb.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-4, "largest logit difference {worst}");

    // Q8_0 weights, through candle's quantized matmul and dequantized to
    // f32: close to the original, not equal.
    let q8 = dir.path().join("tiny-q8.gguf");
    write_gguf(&hf, &q8, spec, GgmlDType::Q8_0);
    let (net, _) = lineage::model::load::load_gguf(&q8, &Device::Cpu, Some(false)).unwrap();
    let quant = Model {
        net,
        ..Model::load(&q8, &Device::Cpu).unwrap()
    };
    for c in [Model::load(&q8, &Device::Cpu).unwrap(), quant] {
        check_close(&la, &logits(&c, &ids));
    }
}

fn check_close(la: &[Vec<f32>], lc: &[Vec<f32>]) {
    let mut agree = 0;
    for (x, y) in la.iter().zip(lc) {
        let am = |v: &Vec<f32>| (0..v.len()).max_by(|&i, &j| v[i].total_cmp(&v[j])).unwrap();
        agree += usize::from(am(x) == am(y));
    }
    assert!(
        agree * 10 >= la.len() * 8,
        "{agree}/{} top-1 agree",
        la.len()
    );
}
