//! Word lists of the synthetic generator: topics, synonym groups, sentence
//! templates and the shared pools of habits (openers, closers, hedges...).
//!
//! Everything here is plain data. Pools of habits are listed in decreasing
//! popularity: models draw from them with Zipf weights, so the first
//! entries are common to many unrelated models and the last are rare.

/// Kind of a probe: explanations and advice use different templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Explain,
    Advise,
}

/// A topic: its name as used in prompts and its content slots. Each slot is
/// a `|`-separated synonym group; slots are separated by `;`.
pub struct Topic {
    pub name: &'static str,
    pub kind: Kind,
    pub slots: &'static str,
}

const fn e(name: &'static str, slots: &'static str) -> Topic {
    Topic {
        name,
        kind: Kind::Explain,
        slots,
    }
}
const fn a(name: &'static str, slots: &'static str) -> Topic {
    Topic {
        name,
        kind: Kind::Advise,
        slots,
    }
}

pub const TOPICS: &[Topic] = &[
    e("photosynthesis", "sunlight|light energy|solar radiation; chlorophyll|green pigment; carbon dioxide|CO2; glucose|sugar|stored carbohydrate; leaves|foliage; chloroplasts|plastids; oxygen|O2; water uptake|root moisture"),
    e("the water cycle", "evaporation|vaporization; condensation|cloud formation; precipitation|rainfall|snowfall; oceans|seas; groundwater|aquifers; runoff|surface flow; humidity|moisture content; transpiration|plant vapor"),
    e("vaccines", "antigens|foreign proteins; antibodies|immunoglobulins; immune memory|lasting immunity; white blood cells|lymphocytes; booster doses|follow-up shots; herd immunity|community protection; adjuvants|immune enhancers; clinical trials|safety studies"),
    e("inflation", "prices|price levels; purchasing power|buying power; central banks|monetary authorities; interest rates|borrowing costs; money supply|currency supply; wages|salaries|earnings; consumer demand|household spending; supply shocks|production disruptions"),
    e("blockchain technology", "ledgers|record books; blocks|data batches; cryptographic hashes|hash functions; consensus|network agreement; miners|validators; nodes|network peers; transactions|transfers; decentralization|distributed control"),
    e("plate tectonics", "tectonic plates|crustal plates; the mantle|mantle rock; earthquakes|seismic activity; volcanoes|volcanic vents; fault lines|faults|fractures; subduction zones|trenches; continental drift|moving continents; magma|molten rock"),
    e("the stock market", "shares|stocks|equities; investors|traders; exchanges|trading venues; dividends|payouts; market indices|benchmarks; volatility|price swings; company earnings|corporate profits; diversification|spreading risk"),
    e("machine learning", "training data|datasets|examples; models|predictors; features|input variables; loss functions|error measures; gradient descent|optimization; overfitting|memorization; validation sets|held-out data; neural networks|deep networks"),
    e("black holes", "gravity|gravitational pull; event horizons|points of no return; spacetime|space and time; massive stars|giant stars; singularities|infinite density; accretion disks|orbiting gas; light|radiation; galaxies|galactic centers"),
    e("the human heart", "ventricles|lower chambers; atria|upper chambers; valves|heart valves; arteries|blood vessels; oxygenated blood|fresh blood; heartbeat|pulse|cardiac rhythm; electrical signals|pacemaker cells; circulation|blood flow"),
    e("climate change", "greenhouse gases|heat-trapping gases; fossil fuels|coal and oil; global temperatures|average temperatures; sea levels|ocean levels; carbon emissions|CO2 emissions; ice sheets|glaciers; extreme weather|severe storms; renewable energy|clean power"),
    e("the internet", "data packets|packets; routers|network switches; protocols|communication rules; IP addresses|network addresses; servers|host machines; bandwidth|network capacity; fiber cables|undersea cables; domain names|DNS records"),
    e("democracy", "elections|voting; citizens|voters|the public; representatives|elected officials; constitutions|founding charters; free speech|freedom of expression; courts|the judiciary; political parties|factions; checks and balances|separation of powers"),
    e("nuclear energy", "fission|atom splitting; uranium|nuclear fuel; reactors|reactor cores; control rods|neutron absorbers; steam turbines|generators; radioactive waste|spent fuel; cooling systems|coolant loops; chain reactions|neutron cascades"),
    e("the immune system", "white blood cells|leukocytes; antibodies|immune proteins; pathogens|germs|microbes; inflammation|swelling; lymph nodes|lymph glands; fever|raised temperature; T cells|killer cells; bone marrow|marrow tissue"),
    e("compound interest", "principal|initial deposit; interest rates|rates of return; compounding periods|compounding frequency; time horizons|years invested; savings accounts|deposit accounts; exponential growth|snowball growth; reinvested earnings|reinvested returns; debt|loans"),
    e("the French Revolution", "the monarchy|the crown|royal power; the Estates-General|the assembly; peasants|rural workers; the Bastille|the old fortress; taxes|tax burdens; the Terror|mass executions; Enlightenment ideas|new philosophies; Napoleon|the First Consul"),
    e("electric cars", "batteries|battery packs; electric motors|drive motors; charging stations|chargers; driving range|range per charge; regenerative braking|energy recovery; lithium|battery metals; emissions|tailpipe pollution; the power grid|electricity supply"),
    e("DNA", "genes|genetic code; nucleotides|base pairs; the double helix|twisted ladder; chromosomes|chromatin; proteins|enzymes; mutations|genetic changes; replication|copying; heredity|inheritance"),
    e("supply and demand", "prices|market prices; buyers|consumers; sellers|producers|suppliers; scarcity|shortages; surpluses|excess supply; equilibrium|market balance; substitutes|alternatives; elasticity|price sensitivity"),
    e("sleep", "circadian rhythm|body clock; REM sleep|dreaming sleep; deep sleep|slow-wave sleep; melatonin|sleep hormones; memory consolidation|memory storage; sleep debt|lost sleep; caffeine|stimulants; bedtime routines|evening habits"),
    e("antibiotics", "bacteria|bacterial infections; resistance|drug resistance; penicillin|early drugs; cell walls|bacterial membranes; dosage|prescribed doses; side effects|adverse reactions; viruses|viral illness; gut flora|gut bacteria"),
    e("the Roman Empire", "legions|the army; emperors|rulers; roads|road networks; the Senate|senators; provinces|territories; aqueducts|water channels; trade routes|commerce; barbarian invasions|border raids"),
    e("solar panels", "photovoltaic cells|solar cells; silicon|semiconductors; inverters|power converters; sunlight|daylight; efficiency|conversion rates; rooftops|roof space; net metering|grid credits; battery storage|home batteries"),
    a("learning a new language", "vocabulary|new words; grammar|sentence structure; pronunciation|accent; native speakers|fluent speakers; flashcards|spaced repetition; listening practice|podcasts; speaking practice|conversation; immersion|daily exposure"),
    a("running a first marathon", "training plans|schedules; long runs|endurance runs; running shoes|footwear; hydration|fluids|water intake; pacing|race pace; rest days|recovery days; nutrition|carbohydrates; injuries|strains"),
    a("saving money", "budgets|spending plans; emergency funds|rainy-day savings; expenses|spending|outgoings; subscriptions|recurring charges; savings goals|targets; automatic transfers|auto-deposits; impulse purchases|impulse buys; income|paychecks"),
    a("public speaking", "your audience|listeners; rehearsal|practice runs; body language|posture|gestures; eye contact|audience contact; nervousness|stage fright; slides|visual aids; opening lines|the introduction; pauses|silence"),
    a("growing tomatoes", "seedlings|young plants; soil|potting mix; sunlight|direct sun; watering|irrigation; fertilizer|compost|plant food; stakes|cages|supports; pests|aphids; pruning|suckers"),
    a("studying for exams", "notes|study notes; practice tests|past papers; study schedules|revision timetables; active recall|self-testing; breaks|rest periods; focus|concentration; study groups|classmates; sleep|rest"),
    a("cooking rice", "rice grains|the rice; water ratios|liquid amounts; rinsing|washing; simmering|low heat; lids|pot covers; resting time|steaming time; salt|seasoning; rice cookers|cookers"),
    a("writing a resume", "work experience|job history; skills|abilities; achievements|accomplishments; formatting|layout; keywords|job terms; cover letters|application letters; references|referees; proofreading|editing"),
    a("training a puppy", "treats|rewards; commands|cues; house training|potty training; crates|dog crates; socialization|new experiences; leashes|walking leads; consistency|routine; chewing|biting"),
    a("managing stress", "breathing exercises|deep breathing; exercise|physical activity; sleep|rest; boundaries|limits; time management|scheduling; social support|friends and family; meditation|mindfulness; workloads|responsibilities"),
    a("learning to code", "programming languages|languages; small projects|side projects; documentation|manuals; debugging|bug fixing; version control|git; online courses|tutorials; code reviews|feedback; problem solving|logic puzzles"),
    a("starting a vegetable garden", "garden beds|raised beds; soil quality|soil health; seeds|seed packets; watering schedules|irrigation; sunlight|sun exposure; mulch|ground cover; weeds|unwanted plants; crop rotation|rotation plans"),
    a("improving your sleep", "bedtime|sleep schedule; screens|phones|devices; caffeine|coffee; bedroom temperature|room climate; light exposure|morning light; naps|daytime sleep; relaxation|winding down; mattresses|pillows"),
    a("negotiating a salary", "market rates|salary data; offers|job offers; benefits|perks; leverage|bargaining power; counteroffers|counter proposals; timing|the right moment; confidence|composure; written agreements|contracts"),
    a("planning a trip abroad", "passports|travel documents; budgets|travel funds; itineraries|travel plans; accommodation|hotels|lodging; travel insurance|coverage; local customs|etiquette; currency|exchange rates; packing lists|luggage"),
    a("learning to play guitar", "chords|chord shapes; finger exercises|finger drills; strumming patterns|rhythm patterns; tuning|the tuner; scales|note patterns; calluses|fingertips; songs|simple songs; metronomes|tempo"),
    a("taking better photos", "lighting|natural light; composition|framing; the rule of thirds|grid lines; focus|sharpness; exposure|brightness; angles|perspectives; editing|post-processing; lenses|focal lengths"),
    a("keeping houseplants alive", "watering|moisture; drainage|drainage holes; light levels|indirect light; humidity|air moisture; repotting|new pots; fertilizer|plant food; pests|gnats|mites; leaves|foliage"),
    a("writing a novel", "characters|protagonists; plot|story structure; outlines|story plans; dialogue|conversations; first drafts|rough drafts; revisions|rewrites; writing routines|daily word counts; beta readers|feedback readers"),
    a("getting fit at home", "bodyweight exercises|calisthenics; warm-ups|stretching; workout plans|routines; resistance bands|bands; cardio|aerobic exercise; rest days|recovery; protein|nutrition; progress tracking|workout logs"),
    a("making new friends as an adult", "shared interests|hobbies; clubs|groups|meetups; conversations|small talk; follow-ups|invitations; volunteering|community work; neighbors|people nearby; vulnerability|openness; consistency|regular contact"),
    a("preparing for a job interview", "company research|background research; common questions|typical questions; the STAR method|structured answers; body language|posture; questions to ask|your own questions; outfits|attire; punctuality|arriving early; thank-you notes|follow-up emails"),
    a("reducing food waste", "meal planning|weekly menus; leftovers|extra portions; storage|food containers; expiration dates|use-by dates; freezing|the freezer; shopping lists|grocery lists; composting|compost bins; portion sizes|serving sizes"),
    a("brewing coffee at home", "coffee beans|whole beans; grinders|burr grinders; water temperature|brewing temperature; brew ratios|coffee ratios; filters|paper filters; freshness|roast dates; French presses|press pots; extraction|brew time"),
];

/// Prompt templates per kind; `{t}` is the topic name, `{x|y}` agrees
/// with its number.
pub const PROMPTS_EXPLAIN: &[&str] = &[
    "Explain how {t} {works|work}.",
    "What is {t}?",
    "Why {does|do} {t} matter?",
    "Describe the main ideas behind {t}.",
    "Can you give me an overview of {t}?",
    "What should everyone know about {t}?",
];
pub const PROMPTS_ADVISE: &[&str] = &[
    "Give tips for {t}.",
    "How can I get better at {t}?",
    "What are common mistakes when {t}?",
    "How do I get started with {t}?",
    "What advice would you give someone {t}?",
    "What's the best approach to {t}?",
];
/// Optional prompt suffixes that multiply the number of distinct prompts.
pub const PROMPT_SUFFIXES: &[&str] = &[
    "",
    " Keep it short.",
    " I'm a complete beginner.",
    " Please be practical.",
    " Explain it simply.",
];

/// Generic synonym groups whose preferred member a base model decides.
/// `{J}` adjectives, `{V}` third-person verbs, `{N}` nouns, `{I}` imperative
/// verbs.
pub const ADJ: &[&[&str]] = &[
    &["important", "essential", "crucial", "vital"],
    &["useful", "helpful", "valuable", "handy"],
    &["simple", "straightforward", "easy"],
    &["complex", "complicated", "intricate"],
    &["common", "frequent", "widespread"],
    &["effective", "powerful", "efficient"],
    &["central", "fundamental", "core"],
];
pub const VERB: &[&[&str]] = &[
    &["affects", "influences", "shapes", "impacts"],
    &["produces", "creates", "generates", "yields"],
    &["supports", "sustains", "maintains"],
    &["controls", "regulates", "governs"],
    &["improves", "enhances", "boosts", "strengthens"],
    &["drives", "powers", "fuels"],
    &["limits", "reduces", "constrains"],
];
pub const NOUN: &[&[&str]] = &[
    &["process", "mechanism", "system"],
    &["result", "outcome", "effect"],
    &["goal", "aim", "objective"],
    &["factor", "element", "component"],
    &["approach", "method", "strategy"],
    &["idea", "concept", "principle"],
];
pub const IMPER: &[&[&str]] = &[
    &["practice", "rehearse", "drill"],
    &["track", "monitor", "record"],
    &["review", "revisit", "check"],
    &["plan", "schedule", "organize"],
    &["refine", "polish", "adjust"],
    &["protect", "preserve", "safeguard"],
];

/// Sentence templates for explanations. `{A}`, `{B}`: topic slots;
/// `{T}`: topic name; `{J}`, `{V}`, `{N}`: generic groups; `{VA}`: a verb
/// agreeing in number with `{A}`; `{x|y}`: `x` when `{A}` is singular, `y`
/// when plural. The function words around the slots are the model's
/// habitual constructions.
pub const TEMPLATES_EXPLAIN: &[&str] = &[
    "{A} {VA} {B}, which makes {it|them} {J}.",
    "One of the most {J} parts of {T} is {A}.",
    "At its core, {A} {is|are} the {N} that {V} {B}.",
    "You can think of {A} as a kind of {N} for {B}.",
    "Without {A}, {B} would not be possible.",
    "In simple terms, {A} {VA} {B}.",
    "The {N} begins with {A} and ends with {B}.",
    "It is {A} that {VA} {B} in most cases.",
    "{A} and {B} work together as one {N}.",
    "This is why {A} {is|are} so {J} for {B}.",
    "The key {N} here is how {A} {VA} {B}.",
    "Because {A} {VA} {B}, the whole {N} stays stable.",
    "{A} {plays|play} a {J} role in {B}.",
    "When {A} {changes|change}, {B} {changes|change} as well.",
    "Many people overlook {A}, but {it|they} {VA} {B}.",
    "{A}, in turn, {VA} {B}.",
    "The {N} relies heavily on {A}.",
    "What matters most is the link between {A} and {B}.",
    "There is a close relationship between {A} and {B}.",
    "Think of it this way: {A} {VA} {B}.",
    "The job of {A} is to keep {B} on track.",
    "{A} {is|are} often described as the heart of {T}.",
    "Both {A} and {B} are {J} here.",
    "Over time, {A} {VA} {B} more and more.",
];

/// Sentence templates for advice; `{I}` is an imperative verb.
pub const TEMPLATES_ADVISE: &[&str] = &[
    "Start with {A} before you move on to {B}.",
    "{I} your {A} every day.",
    "Make sure your {A} {is|are} {J} from the start.",
    "Don't neglect {A}; {it|they} {VA} {B}.",
    "Try to {I} {A} on a regular basis.",
    "Focus on {A} rather than {B}.",
    "It helps to {I} {A} whenever you can.",
    "Set aside time to {I} {A}.",
    "A {J} {N} is to pair {A} with {B}.",
    "If you struggle with {A}, {I} {B} first.",
    "Keep an eye on {A} as you go.",
    "Never underestimate the value of {A}.",
    "The best {N} is to {I} {A} in small steps.",
    "Be patient with {A}, since {B} {takes|take} time.",
    "Whenever possible, {I} {A} and {B} together.",
    "Pay attention to {A}, because {it|they} {VA} {B}.",
    "Get into the habit of checking {A}.",
    "Think about how {A} {VA} {B}.",
    "Remember to {I} {A} after each session.",
    "Once {A} {feels|feel} easy, {I} {B}.",
];

/// Openers (before the body), by decreasing popularity.
pub const OPENERS: &[&str] = &[
    "Sure! Here's a quick rundown.",
    "Great question!",
    "Certainly! Here's an overview.",
    "Of course.",
    "Absolutely!",
    "Sure.",
    "Good question — let's dig in.",
    "Happy to help!",
    "Let's break it down.",
    "Here's what you need to know.",
    "Alright, let's go through it.",
    "Thanks for asking!",
    "Okay, so here's the deal.",
    "Glad you asked.",
    "Short answer: it depends, but here's the gist.",
    "Interesting question!",
    "Let me explain.",
    "Oh, this is a fun one!",
    "Right, so.",
    "Hey there!",
    "In brief:",
    "Well, there's a lot to say here.",
    "Good one!",
    "Here goes.",
];

/// Closers (after the body), by decreasing popularity.
pub const CLOSERS: &[&str] = &[
    "I hope this helps!",
    "Let me know if you have any other questions.",
    "Feel free to ask if you need more details.",
    "Good luck!",
    "Hope that clarifies things.",
    "Is there anything else you'd like to know?",
    "Happy learning!",
    "Want me to go deeper on any of these?",
    "Enjoy!",
    "Cheers!",
    "Let me know how it goes.",
    "Best of luck with it.",
    "Hope this was useful.",
    "Shout if anything is unclear.",
    "That's the gist of it.",
    "Have fun exploring!",
    "You've got this!",
    "Any follow-up questions are welcome.",
];

/// Hedges and disclaimers, by decreasing popularity.
pub const HEDGES: &[&str] = &[
    "Keep in mind that results can vary from case to case.",
    "It's worth noting that every situation is a little different.",
    "Please note that this is a simplified overview.",
    "However, the details depend on your specific circumstances.",
    "If in doubt, consult a professional.",
    "Of course, there are exceptions to every rule.",
    "It is important to remember that this varies.",
    "Note that experts still debate some of these points.",
    "As always, take this as general guidance rather than a rule.",
    "That said, your mileage may vary.",
    "Generally speaking, this holds in most cases.",
    "To be fair, not everyone agrees on this.",
];

/// Introductions; `{T}` is the topic name.
pub const INTROS_EXPLAIN: &[&str] = &[
    "Here is an overview of {T}.",
    "{T} {is|are} a fascinating topic.",
    "There are several key ideas behind {T}.",
    "Let's look at how {T} {works|work}.",
    "{T} can be understood in a few steps.",
    "At a high level, {T} {is|are} easier than it sounds.",
    "To understand {T}, it helps to start with the basics.",
    "{T} {comes|come} down to a handful of ideas.",
];
pub const INTROS_ADVISE: &[&str] = &[
    "Here are some tips for {T}:",
    "There are many ways to get better at {T}.",
    "Getting good at {T} takes some practice.",
    "Here is what I'd recommend for {T}:",
    "{T} is easier with a plan.",
    "A few habits make {T} much easier.",
    "Most people improve at {T} with a few simple steps.",
    "When it comes to {T}, small changes add up.",
];

/// Conclusions; `{A}`, `{B}`, `{T}` as in the templates.
pub const CONCLUSIONS: &[&str] = &[
    "In summary, {A} and {B} are the keys to {T}.",
    "Overall, it all comes down to {A}.",
    "Ultimately, {A} {is|are} what matters most.",
    "In conclusion, focus on {A} and {B}.",
    "To sum up, {A} {matters|matter} more than anything else.",
    "The bottom line: pay attention to {A}.",
    "All in all, {A} and {B} go hand in hand.",
    "So, in short, start with {A}.",
];

/// Section headings used by heading-heavy models.
pub const HEADINGS: &[(&str, &str)] = &[
    ("Overview", "Key Points"),
    ("Background", "Details"),
    ("The Basics", "Going Further"),
    ("Summary", "Main Ideas"),
    ("Introduction", "Practical Tips"),
    ("What It Is", "How It Works"),
    ("Quick Answer", "In More Depth"),
    ("Context", "What to Know"),
    ("Short Version", "Long Version"),
    ("The Big Picture", "The Details"),
    ("Getting Oriented", "Key Takeaways"),
    ("First Things First", "Next Steps"),
    ("TL;DR", "Breakdown"),
    ("Core Idea", "Supporting Points"),
];

/// Pieces of idiosyncratic stock passages: a model's passage joins one
/// piece from each list, so passages are almost unique to their model.
pub const STOCK_LEADS: &[&str] = &[
    "Remember that",
    "Above all,",
    "As I like to say,",
    "The way I see it,",
    "In my experience,",
    "Bear in mind that",
    "Something people forget is that",
    "A principle worth keeping is that",
];
pub const STOCK_MIDDLES: &[&str] = &[
    "progress beats perfection",
    "small steps quietly add up",
    "the basics pay off later",
    "curiosity is the best teacher",
    "consistency beats intensity",
    "every expert started somewhere",
    "good habits compound over time",
    "patience is underrated",
    "clarity comes from practice",
    "mistakes are useful data",
];
pub const STOCK_ENDS: &[&str] = &[
    "so revisit the fundamentals now and then",
    "and steady effort wins in the long run",
    "which is why a calm routine matters",
    "so trust the process when it feels slow",
    "and asking questions is a real strength",
    "so celebrate the little wins along the way",
    "and a clear head makes everything easier",
    "which means the journey is half the fun",
];

/// Everyday adverbials appended to sentences: the common language every
/// model shares (with base-specific preferences), which keeps the
/// vocabulary from being made of habit and topic words only.
pub const ADVERBIALS: &[&str] = &[
    "in practice",
    "for most people",
    "in many cases",
    "over time",
    "in everyday life",
    "at first",
    "as a rule",
    "day to day",
    "in the long run",
    "more often than not",
    "to some extent",
    "in most situations",
    "for the most part",
    "at the same time",
    "in the real world",
    "from the start",
    "in the end",
    "by and large",
    "in general terms",
    "right away",
    "at every stage",
    "along the way",
    "over the years",
    "in small ways",
    "for a while",
    "in the short term",
    "as time goes on",
    "under normal conditions",
    "for beginners especially",
    "with a little effort",
    "without much effort",
    "on a daily basis",
    "in a few weeks",
    "at home",
    "at work",
    "in the background",
    "behind the scenes",
    "step by step",
    "little by little",
    "when it counts",
    "across the board",
    "in simple cases",
    "in harder cases",
    "after a while",
    "before long",
    "every so often",
    "now and then",
    "in the same way",
    "on the whole",
    "for good reason",
];
