//! Simulated refusal styles with known lineage, for the template evidence
//! (`compare::templates`).
//!
//! Every probe has a sensitivity s ~ U(0, 1); a model refuses it when s
//! exceeds the model's own threshold plus noise, so models split on the
//! middling probes as real assistants do. Every model has two favourite
//! refusal openings, composed from shared pools of apologies, modal
//! refusals and verbs (10 × 7 × 8 combinations, so unrelated models share
//! an opening only by chance), and phrases each refusal as one of them
//! followed by the topic. A **copying student** refuses where its teacher
//! refuses (with probability [`FOLLOW`]) and in its teacher's openings
//! (with probability [`COPY`]); an **independent** model draws everything
//! itself. Only this module's own streams are used, so the other
//! simulator outputs are unchanged.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::stats::rng::stream;

/// Probability that a copying student follows the teacher's decision.
pub const FOLLOW: f64 = 0.85;
/// Probability that a copying student's refusal uses a teacher opening.
pub const COPY: f64 = 0.9;
/// Favourite openings per model (of 560 combinations, so two unrelated
/// models share one with probability about 4/560).
const OPENINGS: usize = 2;

// Openings are exactly eight words (3 + 2 + 3), the template length of
// `compare::templates`, so a template never includes the topic.
const APOLOGIES: [&str; 10] = [
    "I'm sorry, but",
    "I apologize, but",
    "Unfortunately, I'm afraid",
    "Sorry to say,",
    "As an AI,",
    "With all respect,",
    "I regret that",
    "To be honest,",
    "Please understand that",
    "Thank you, but",
];
const MODALS: [&str; 7] = [
    "I can't",
    "I cannot",
    "I won't",
    "I shouldn't",
    "We can't",
    "We cannot",
    "I cant",
];
const VERBS: [&str; 8] = [
    "help you with",
    "provide information on",
    "assist you with",
    "give advice about",
    "share details about",
    "write anything about",
    "offer guidance on",
    "discuss anything about",
];
const TOPICS: [&str; 10] = [
    "picking locks",
    "tracking a person",
    "making a weapon",
    "bypassing a filter",
    "writing an insult",
    "forging a document",
    "hiding income",
    "spreading a rumour",
    "mixing chemicals",
    "guessing a password",
];

/// One simulated model: name and one response per probe.
pub struct RefusalModel {
    pub name: String,
    pub responses: Vec<String>,
}

/// A model's refusal style: threshold and favourite openings.
struct Style {
    threshold: f64,
    openings: Vec<String>,
}

impl Style {
    fn draw(rng: &mut ChaCha8Rng) -> Style {
        let openings = (0..OPENINGS)
            .map(|_| {
                format!(
                    "{} {} {}",
                    APOLOGIES[rng.gen_range(0..APOLOGIES.len())],
                    MODALS[rng.gen_range(0..MODALS.len())],
                    VERBS[rng.gen_range(0..VERBS.len())]
                )
            })
            .collect();
        Style {
            threshold: rng.gen_range(0.3..0.7),
            openings,
        }
    }
}

fn refusal(opening: &str, p: usize) -> String {
    format!(
        "{opening} {}. It would not be responsible of me to go further.",
        TOPICS[p % TOPICS.len()]
    )
}

fn answer(p: usize) -> String {
    format!(
        "Here is a short overview of {}. First, read about the basics; then practise on a \
         small example and check the result step by step.",
        TOPICS[p % TOPICS.len()]
    )
}

/// Responses of a model with `style` on probes of sensitivity `sens`;
/// `copy` gives a teacher's decisions and style to follow.
fn respond(
    rng: &mut ChaCha8Rng,
    style: &Style,
    sens: &[f64],
    copy: Option<(&[bool], &Style)>,
) -> (Vec<bool>, Vec<String>) {
    let mut decisions = Vec::with_capacity(sens.len());
    let mut out = Vec::with_capacity(sens.len());
    for (p, &s) in sens.iter().enumerate() {
        let own = s + 0.15 * (rng.gen::<f64>() - 0.5) > style.threshold;
        let refuse = match copy {
            Some((dec, _)) if rng.gen::<f64>() < FOLLOW => dec[p],
            _ => own,
        };
        let openings = match copy {
            Some((_, t)) if rng.gen::<f64>() < COPY => &t.openings,
            _ => &style.openings,
        };
        let text = if refuse {
            refusal(&openings[rng.gen_range(0..openings.len())], p)
        } else {
            answer(p)
        };
        decisions.push(refuse);
        out.push(text);
    }
    (decisions, out)
}

/// A teacher, a student that copies it, an independent model and `panel`
/// reference models, on `probes` probes (in that order).
pub fn corpus(seed: u64, probes: usize, panel: usize) -> Vec<RefusalModel> {
    let mut world = stream(seed, "synth/refusal/world");
    let sens: Vec<f64> = (0..probes).map(|_| world.gen()).collect();
    let model = |name: &str, copy: Option<(&[bool], &Style)>| {
        let mut rng = stream(seed, &format!("synth/refusal/{name}"));
        let style = Style::draw(&mut rng);
        let (dec, responses) = respond(&mut rng, &style, &sens, copy);
        (
            style,
            dec,
            RefusalModel {
                name: name.to_string(),
                responses,
            },
        )
    };
    let (t_style, t_dec, teacher) = model("teacher", None);
    let (_, _, student) = model("student", Some((&t_dec, &t_style)));
    let (_, _, indep) = model("independent", None);
    let mut out = vec![teacher, student, indep];
    for j in 0..panel {
        out.push(model(&format!("panel-{j}"), None).2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_refusals_and_answers() {
        let a = corpus(1, 40, 3);
        let b = corpus(1, 40, 3);
        assert_eq!(a.len(), 6);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!((&x.name, &x.responses), (&y.name, &y.responses));
        }
        let refusals = a[0].responses.iter().filter(|r| r.contains(" I ")).count();
        assert!(refusals > 5 && refusals < 35, "{refusals}");
    }
}
