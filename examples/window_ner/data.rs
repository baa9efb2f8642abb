//! A generated named-entity data set (no real corpus is bundled: the common ones, CoNLL-2003
//! among them, may not be redistributed). Sentences come from templates whose slots are filled
//! with location names (`L`) and person names (`P`); eight names are both (`jordan` the country
//! and the person), so only the context tells. Eight names occur only in held-out sentences,
//! so the classifier must recognise a location it has never seen from its context. The
//! generator is seeded: every run sees the same data.

use shaped::rand::Rng;

/// Where a location can stand.
const LOCATION_TEMPLATES: &[&str] = &[
    "the museums in L are amazing",
    "we flew to L last week",
    "she lives in L with her family",
    "the weather in L was cold today",
    "he moved from L to L in may",
    "tourists visit L every summer",
    "a train from L arrives at noon",
    "the mayor of L opened the bridge",
    "prices in L rose again this year",
    "P was born in L",
    "P visited L last week",
    "P moved to L after the war",
];
/// Where a person can stand (and locations too, marked `L`).
const PERSON_TEMPLATES: &[&str] = &[
    "P said that the plan works",
    "yesterday P met the minister",
    "according to P the team won",
    "P and P signed the deal",
    "the coach told P to rest",
    "P wrote a letter to the board",
    "the police thanked P for the help",
    "P scored twice in the final",
    "our teacher P was late again",
];
/// Sentences without a name.
const PLAIN_TEMPLATES: &[&str] = &[
    "the team won the game today",
    "prices rose again this year",
    "the board signed the deal",
    "we met the minister at noon",
];

/// Locations seen in training.
const LOCATIONS: &[&str] = &[
    "london", "berlin", "madrid", "rome", "tokyo", "cairo", "vienna", "prague", "warsaw", "lisbon",
    "delhi", "nairobi",
];
/// Persons seen in training.
const PERSONS: &[&str] = &[
    "john", "mary", "ahmed", "chen", "olga", "pedro", "fatima", "anna", "luis", "sara", "ivan",
    "raj",
];
/// Names that are a location or a person depending on the sentence.
const AMBIGUOUS: &[&str] = &[
    "jordan", "georgia", "florence", "victoria", "austin", "sydney", "chelsea", "paris",
];
/// Locations and persons that occur only in held-out sentences.
const HELD_OUT_LOCATIONS: &[&str] = &["oslo", "lima", "dublin", "athens"];
const HELD_OUT_PERSONS: &[&str] = &["kenji", "omar", "lena", "mia"];

/// The padding word at both ends of a sentence.
pub const PAD: &str = "<pad>";

/// A window of 5 word ids and whether its centre word is a location.
pub type Example = ([usize; 5], bool);

/// The generated data.
pub struct Corpus {
    /// Every word, by id (`PAD` is 0).
    pub vocab: Vec<&'static str>,
    /// Windows of the training sentences.
    pub train: Vec<Example>,
    /// Windows of the held-out sentences.
    pub test: Vec<Example>,
}

impl Corpus {
    /// `sentences` training and `held_out` test sentences, reproducibly from `seed`.
    pub fn generate(seed: u64, sentences: usize, held_out: usize) -> Corpus {
        let mut corpus = Corpus {
            vocab: vec![PAD],
            train: Vec::new(),
            test: Vec::new(),
        };
        let mut rng = Rng::new(seed);
        for i in 0..sentences + held_out {
            let test = i >= sentences;
            let (words, labels) = sentence(&mut rng, test);
            let ids: Vec<usize> = words.iter().map(|w| corpus.id(w)).collect();
            let out = if test {
                &mut corpus.test
            } else {
                &mut corpus.train
            };
            for (centre, &label) in labels.iter().enumerate() {
                let at = |k: isize| {
                    let p = centre as isize + k;
                    if p < 0 || p >= ids.len() as isize {
                        0
                    } else {
                        ids[p as usize]
                    }
                };
                out.push(([at(-2), at(-1), at(0), at(1), at(2)], label));
            }
        }
        corpus
    }

    fn id(&mut self, word: &'static str) -> usize {
        match self.vocab.iter().position(|w| *w == word) {
            Some(i) => i,
            None => {
                self.vocab.push(word);
                self.vocab.len() - 1
            }
        }
    }
}

/// One sentence: its words and, per word, whether it is a location.
fn sentence(rng: &mut Rng, test: bool) -> (Vec<&'static str>, Vec<bool>) {
    let templates = match rng.below(10) {
        0 => PLAIN_TEMPLATES,
        1..=5 => LOCATION_TEMPLATES,
        _ => PERSON_TEMPLATES,
    };
    let template = templates[rng.below(templates.len())];
    let mut pick = |names: &[&'static str], held_out: &[&'static str]| {
        // Held-out sentences use a held-out name half of the time.
        if test && rng.below(2) == 0 {
            held_out[rng.below(held_out.len())]
        } else if rng.below(4) == 0 {
            AMBIGUOUS[rng.below(AMBIGUOUS.len())]
        } else {
            names[rng.below(names.len())]
        }
    };
    let (mut words, mut labels) = (Vec::new(), Vec::new());
    for word in template.split(' ') {
        match word {
            "L" => {
                words.push(pick(LOCATIONS, HELD_OUT_LOCATIONS));
                labels.push(true);
            }
            "P" => {
                words.push(pick(PERSONS, HELD_OUT_PERSONS));
                labels.push(false);
            }
            w => {
                words.push(w);
                labels.push(false);
            }
        }
    }
    (words, labels)
}
