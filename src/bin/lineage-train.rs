//! `lineage-train`: builds the tiny test models of `test-models/` (see
//! `scripts/make-test-models.sh`). Not part of the forensic tool itself.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use lineage::report::atomic;
use lineage::train::{self, corpus, fit, generate, params, tokenizer};

#[derive(Parser)]
#[command(
    name = "lineage-train",
    about = "Train the tiny Llama test models of lineage"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a synthetic corpus (JSONL of probe_id, prompt, response).
    Corpus {
        /// House style seed; absent: prompts only.
        #[arg(long)]
        style: Option<u64>,
        #[arg(long)]
        prompt_seed: u64,
        #[arg(long, default_value_t = 0)]
        answer_seed: u64,
        #[arg(long)]
        n: usize,
        #[arg(long, default_value = "p")]
        id_prefix: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the byte-level BPE tokenizer; writes tokenizer.json and
    /// tokenizer_config.json into --out.
    Tokenizer {
        #[arg(long = "corpus", required = true)]
        corpora: Vec<PathBuf>,
        #[arg(long, default_value_t = 384)]
        vocab: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train a model (from scratch, or from --init) on corpora, or on a
    /// teacher's soft distributions with --soft-teacher.
    Train {
        #[arg(long = "corpus", required = true)]
        corpora: Vec<PathBuf>,
        /// Directory holding tokenizer.json.
        #[arg(long)]
        tokenizer: PathBuf,
        #[arg(long, default_value_t = 64)]
        hidden: usize,
        #[arg(long, default_value_t = 2)]
        layers: usize,
        #[arg(long, default_value_t = 4)]
        heads: usize,
        #[arg(long)]
        seed: u64,
        #[arg(long, default_value_t = 800)]
        steps: usize,
        #[arg(long, default_value_t = 32)]
        batch: usize,
        #[arg(long, default_value_t = 3e-3)]
        lr: f64,
        /// Continue training this model (fine-tuning) instead of a fresh init.
        #[arg(long)]
        init: Option<PathBuf>,
        /// Fit this teacher's next-token distributions (KL) on the corpus text.
        #[arg(long)]
        soft_teacher: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Answer prompts (sampling at --temperature; 0 is greedy).
    Sample {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        prompts: PathBuf,
        #[arg(long, default_value_t = 1.0)]
        temperature: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, default_value_t = 96)]
        max_new_tokens: usize,
        /// Model name written into each record.
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

fn read_all(paths: &[PathBuf]) -> anyhow::Result<Vec<corpus::Example>> {
    let mut v = Vec::new();
    for p in paths {
        v.extend(corpus::read_jsonl(p)?);
    }
    Ok(v)
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Corpus {
            style,
            prompt_seed,
            answer_seed,
            n,
            id_prefix,
            out,
        } => {
            let st = style.map(corpus::Style::new);
            let ex = corpus::Generator::default().examples(
                n,
                prompt_seed,
                st.as_ref(),
                answer_seed,
                &id_prefix,
            );
            atomic::write(&out, &corpus::to_jsonl(&ex))?;
        }
        Cmd::Tokenizer {
            corpora,
            vocab,
            out,
        } => {
            let texts: Vec<String> = read_all(&corpora)?
                .into_iter()
                .flat_map(|e| [e.prompt, e.response.unwrap_or_default()])
                .collect();
            let tk = tokenizer::train(&texts, vocab)?;
            std::fs::create_dir_all(&out)?;
            tokenizer::save(&tk, &out)?;
        }
        Cmd::Train {
            corpora,
            tokenizer: tdir,
            hidden,
            layers,
            heads,
            seed,
            steps,
            batch,
            lr,
            init,
            soft_teacher,
            out,
        } => {
            let start = Instant::now();
            let tk = tokenizer::load(&tdir.join("tokenizer.json"))?;
            let data = fit::tokenise(&tk, &read_all(&corpora)?)?;
            let (cfg, vm) = match &init {
                Some(d) => {
                    let l = train::load(d)?;
                    (l.cfg, l.vm)
                }
                None => {
                    let cfg = params::Config::new(tk.get_vocab_size(true), hidden, layers, heads);
                    let vm = params::init(&cfg, seed)?;
                    (cfg, vm)
                }
            };
            let teacher = soft_teacher.as_deref().map(train::load).transpose()?;
            let tm = teacher.as_ref().map(|t| t.model()).transpose()?;
            let target = match &tm {
                Some(m) => fit::Target::Soft(m),
                None => fit::Target::Text,
            };
            let sch = fit::Schedule {
                steps,
                batch,
                lr,
                warmup: (steps / 20).max(1),
                seed,
            };
            let losses = fit::train(&cfg, &vm, &data, target, sch, |s, l| {
                if s % 100 == 0 || s + 1 == steps {
                    eprintln!("step {s:>5} loss {l:.4}");
                }
            })?;
            train::save(&out, &cfg, &vm, &tk)?;
            let tail = &losses[losses.len().saturating_sub(20)..];
            eprintln!(
                "trained {} ({} params, {} examples) in {:.1} s; final loss {:.4}",
                out.display(),
                cfg.arch()?.n_params(),
                data.len(),
                start.elapsed().as_secs_f64(),
                tail.iter().sum::<f32>() / tail.len() as f32
            );
        }
        Cmd::Sample {
            model: dir,
            prompts,
            temperature,
            seed,
            max_new_tokens,
            name,
            out,
        } => {
            let l = train::load(&dir)?;
            let ex = corpus::read_jsonl(&prompts)?;
            let s = generate::Sampling {
                temperature,
                max_new: max_new_tokens,
                seed,
            };
            let start = Instant::now();
            let ans = generate::answer(&l.model()?, &l.tk, &ex, s)?;
            let name = name.unwrap_or_else(|| {
                dir.file_name()
                    .map_or("model".into(), |n| n.to_string_lossy().into_owned())
            });
            let mut bytes = Vec::new();
            for a in &ans {
                let v = serde_json::json!({"probe_id": a.probe_id, "prompt": a.prompt, "response": a.response, "model": name});
                serde_json::to_writer(&mut bytes, &v)?;
                bytes.push(b'\n');
            }
            atomic::write(&out, &bytes)?;
            eprintln!(
                "answered {} prompts in {:.1} s",
                ans.len(),
                start.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}
