//! Deterministic synthetic instruction corpus for the test models.
//!
//! A fixed fictional "world" (countries with capitals, exports and animals;
//! objects with colours; people) supplies the facts, shared by every
//! corpus, so all models know the same things. How an answer is phrased is a
//! *house style*: for each slot (opener, phrasing of each kind of fact,
//! list marker, emphasis, closer) a style seed picks a favourite option,
//! used 85% of the time, the rest spread over the other options. Two style
//! seeds therefore give two distinct house styles over the same content,
//! which is what a distilled student inherits and an independent model does
//! not. Nothing here is copied from any real text.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One prompt with (optionally) its answer, as written to corpus JSONL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub probe_id: String,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "dor", "va", "shi", "tum", "bel", "qua", "zan", "po", "ri", "gal",
    "fen", "os", "tir", "nu", "wex", "ly",
];
const EXPORTS: &[&str] = &[
    "copper", "wool", "tea", "salt", "glass", "timber", "silk", "rice", "marble", "honey", "paper",
    "iron",
];
const ANIMALS: &[&str] = &[
    "goats", "herons", "otters", "foxes", "owls", "bees", "crabs", "lynxes", "moths", "yaks",
];
const THINGS: &[(&str, &str)] = &[
    ("lemon", "yellow"),
    ("leaf", "green"),
    ("cloud", "white"),
    ("plum", "purple"),
    ("brick", "red"),
    ("crow", "black"),
    ("carrot", "orange"),
    ("sky", "blue"),
    ("pumpkin", "orange"),
    ("snowball", "white"),
    ("cherry", "red"),
    ("frog", "green"),
];

/// A country of the fixed world.
#[derive(Debug, Clone)]
struct Country {
    name: String,
    capital: String,
    export: &'static str,
    animal: &'static str,
}

fn word(rng: &mut ChaCha8Rng, parts: usize) -> String {
    let mut w: String = (0..parts)
        .map(|_| *SYLLABLES.choose(rng).expect("non-empty"))
        .collect();
    w[..1].make_ascii_uppercase();
    w
}

/// The fixed world: the same for every corpus.
fn world() -> (Vec<Country>, Vec<String>) {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_0F3A);
    let countries = (0..40)
        .map(|_| Country {
            name: word(&mut rng, 2),
            capital: word(&mut rng, 3),
            export: EXPORTS.choose(&mut rng).expect("non-empty"),
            animal: ANIMALS.choose(&mut rng).expect("non-empty"),
        })
        .collect();
    let people = (0..30).map(|_| word(&mut rng, 2)).collect();
    (countries, people)
}

/// Style slots and their options; `{…}` placeholders are filled per fact.
const OPENERS: &[&str] = &[
    "Sure! ",
    "Of course. ",
    "Great question! ",
    "Certainly: ",
    "",
    "Happy to help. ",
    "Well, ",
    "Okay. ",
];
const CAPITAL: &[&str] = &[
    "The capital of {c} is {x}.",
    "{x} is the capital of {c}.",
    "{c}'s capital is {x}.",
    "{c} has {x} as its capital.",
];
const EXPORT: &[&str] = &[
    "{c} mainly exports {x}.",
    "The main export of {c} is {x}.",
    "{c} is known for exporting {x}.",
    "Most of what {c} sells abroad is {x}.",
];
const SUM: &[&str] = &[
    "{a} plus {b} equals {x}.",
    "The sum is {x}.",
    "{a} + {b} = {x}.",
    "Adding them gives {x}.",
];
const COLOUR: &[&str] = &[
    "A {t} is usually {x}.",
    "{x} is the color of a {t}.",
    "Most of the time a {t} is {x}.",
    "The typical {t} is {x}.",
];
const GREETING: &[&str] = &[
    "Hello, {n}!",
    "Hi {n}, nice to meet you.",
    "Greetings, {n}.",
    "Hey {n}! Good to see you.",
];
const LIST_INTRO: &[&str] = &[
    "Here are three:",
    "Three things:",
    "For example:",
    "You will find:",
];
const MARKERS: &[&str] = &["- ", "* ", "#", "+ "];
const EMPHASIS: &[&str] = &["{x}", "**{x}**", "{x}", "_{x}_"];
const CLOSERS: &[&str] = &[
    "",
    " Hope this helps!",
    " Let me know if you need more.",
    " Anything else?",
    " Have a nice day.",
    " Cheers.",
];

/// Number of style slots (the order of [`Style::fav`]).
const SLOTS: usize = 10;

fn slot_options(slot: usize) -> &'static [&'static str] {
    [
        OPENERS, CAPITAL, EXPORT, SUM, COLOUR, GREETING, LIST_INTRO, MARKERS, EMPHASIS, CLOSERS,
    ][slot]
}

/// A house style: the favourite option of every slot.
#[derive(Debug, Clone)]
pub struct Style {
    fav: [usize; SLOTS],
}

/// Probability of the favourite option of a slot.
const FAVOURITE: f64 = 0.85;

impl Style {
    /// The house style of seed `seed`.
    pub fn new(seed: u64) -> Style {
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x57_11E);
        let mut fav = [0; SLOTS];
        for (s, f) in fav.iter_mut().enumerate() {
            *f = rng.gen_range(0..slot_options(s).len());
        }
        Style { fav }
    }

    fn pick(&self, slot: usize, rng: &mut ChaCha8Rng) -> &'static str {
        let opts = slot_options(slot);
        if rng.gen_bool(FAVOURITE) {
            return opts[self.fav[slot]];
        }
        let k = rng.gen_range(0..opts.len() - 1);
        opts[if k >= self.fav[slot] { k + 1 } else { k }]
    }
}

fn fill(t: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = t.to_string();
    for (k, v) in pairs {
        s = s.replace(k, v);
    }
    s
}

/// Generator of prompts and styled answers.
pub struct Generator {
    countries: Vec<Country>,
    people: Vec<String>,
}

impl Default for Generator {
    fn default() -> Self {
        let (countries, people) = world();
        Generator { countries, people }
    }
}

/// The facts behind one prompt, so the answer can be styled separately.
enum Fact {
    Capital(usize),
    Export(usize),
    Sum(u32, u32),
    Colour(usize),
    List(usize),
    Greet(usize),
}

impl Generator {
    fn draw(&self, rng: &mut ChaCha8Rng) -> Fact {
        let nc = self.countries.len();
        match rng.gen_range(0..6) {
            0 => Fact::Capital(rng.gen_range(0..nc)),
            1 => Fact::Export(rng.gen_range(0..nc)),
            2 => Fact::Sum(rng.gen_range(1..50), rng.gen_range(1..50)),
            3 => Fact::Colour(rng.gen_range(0..THINGS.len())),
            4 => Fact::List(rng.gen_range(0..nc)),
            _ => Fact::Greet(rng.gen_range(0..self.people.len())),
        }
    }

    fn prompt(&self, f: &Fact) -> String {
        match *f {
            Fact::Capital(c) => format!("What is the capital of {}?", self.countries[c].name),
            Fact::Export(c) => format!("What does {} export?", self.countries[c].name),
            Fact::Sum(a, b) => format!("What is {a} plus {b}?"),
            Fact::Colour(t) => format!("What color is a {}?", THINGS[t].0),
            Fact::List(c) => format!("Name three things found in {}.", self.countries[c].name),
            Fact::Greet(p) => format!("Say hello to {}.", self.people[p]),
        }
    }

    fn answer(&self, f: &Fact, st: &Style, rng: &mut ChaCha8Rng) -> String {
        let emph = |x: &str, rng: &mut ChaCha8Rng| fill(st.pick(8, rng), &[("{x}", x)]);
        let mut out = st.pick(0, rng).to_string();
        let body = match *f {
            Fact::Capital(c) => {
                let k = &self.countries[c];
                let x = emph(&k.capital, rng);
                fill(st.pick(1, rng), &[("{c}", &k.name), ("{x}", &x)])
            }
            Fact::Export(c) => {
                let k = &self.countries[c];
                let x = emph(k.export, rng);
                fill(st.pick(2, rng), &[("{c}", &k.name), ("{x}", &x)])
            }
            Fact::Sum(a, b) => {
                let x = emph(&(a + b).to_string(), rng);
                let (a, b) = (a.to_string(), b.to_string());
                fill(st.pick(3, rng), &[("{a}", &a), ("{b}", &b), ("{x}", &x)])
            }
            Fact::Colour(t) => {
                let x = emph(THINGS[t].1, rng);
                fill(st.pick(4, rng), &[("{t}", THINGS[t].0), ("{x}", &x)])
            }
            Fact::Greet(p) => fill(st.pick(5, rng), &[("{n}", &self.people[p])]),
            Fact::List(c) => {
                let k = &self.countries[c];
                let items = [k.capital.as_str(), k.export, k.animal];
                let marker = st.pick(7, rng);
                let mut s = st.pick(6, rng).to_string();
                for (i, it) in items.iter().enumerate() {
                    let m = if marker == "#" {
                        format!("{}. ", i + 1)
                    } else {
                        marker.to_string()
                    };
                    s.push_str(&format!("\n{m}{it}"));
                }
                s.push('\n');
                s
            }
        };
        out.push_str(&body);
        out.push_str(st.pick(9, rng));
        out.trim_end().to_string()
    }

    /// `n` examples drawn with prompt seed `prompt_seed`, answered in `style`
    /// (`None`: prompts only) with answer seed `answer_seed`. Prompts and
    /// answers draw from separate streams, so the same prompt seed gives
    /// the same prompts under any style.
    pub fn examples(
        &self,
        n: usize,
        prompt_seed: u64,
        style: Option<&Style>,
        answer_seed: u64,
        id_prefix: &str,
    ) -> Vec<Example> {
        let mut prng = ChaCha8Rng::seed_from_u64(prompt_seed);
        let mut arng = ChaCha8Rng::seed_from_u64(answer_seed ^ 0xA5A5_0000);
        (0..n)
            .map(|i| {
                let f = self.draw(&mut prng);
                Example {
                    probe_id: format!("{id_prefix}{i:05}"),
                    prompt: self.prompt(&f),
                    response: style.map(|s| self.answer(&f, s, &mut arng)),
                }
            })
            .collect()
    }
}

/// Read corpus JSONL (one [`Example`] per line; blank lines skipped).
pub fn read_jsonl(path: &std::path::Path) -> anyhow::Result<Vec<Example>> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a corpus record", path.display(), i + 1))
        })
        .collect()
}

/// Corpus JSONL bytes of `ex`.
pub fn to_jsonl(ex: &[Example]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in ex {
        serde_json::to_writer(&mut out, e).expect("plain struct serialises");
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_styles_differ() {
        let g = Generator::default();
        let (a, b) = (Style::new(1), Style::new(2));
        let x = g.examples(50, 7, Some(&a), 1, "p");
        assert_eq!(x, g.examples(50, 7, Some(&a), 1, "p"));
        let y = g.examples(50, 7, Some(&b), 1, "p");
        assert!(x.iter().zip(&y).all(|(u, v)| u.prompt == v.prompt));
        assert!(
            x.iter()
                .zip(&y)
                .filter(|(u, v)| u.response != v.response)
                .count()
                > 25
        );
        assert!(x
            .iter()
            .all(|e| e.response.as_ref().is_some_and(|r| r.is_ascii())));
    }
}
