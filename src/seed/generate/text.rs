//! The generated text: French-like words in sentences, paragraphs with headings and lists, a
//! table in some articles, and titles; from a small deterministic generator, so that the same
//! seed writes the same archive.

use std::fmt::Write as _;

/// Common French words, enough for text that stems, searches and wraps like the real thing.
const WORDS: &[&str] = &[
    "intelligence",
    "artificielle",
    "régulation",
    "sécurité",
    "modèle",
    "modèles",
    "données",
    "entreprise",
    "entreprises",
    "gouvernement",
    "commission",
    "européenne",
    "règlement",
    "transparence",
    "risque",
    "risques",
    "système",
    "systèmes",
    "utilisateurs",
    "protection",
    "droit",
    "droits",
    "auteur",
    "loi",
    "projet",
    "texte",
    "débat",
    "parlement",
    "conseil",
    "autorité",
    "contrôle",
    "audit",
    "garde-fous",
    "éthique",
    "responsabilité",
    "innovation",
    "recherche",
    "laboratoire",
    "calcul",
    "puces",
    "énergie",
    "coût",
    "marché",
    "concurrence",
    "start-up",
    "géants",
    "numérique",
    "plateforme",
    "services",
    "santé",
    "éducation",
    "travail",
    "emploi",
    "justice",
    "police",
    "surveillance",
    "reconnaissance",
    "faciale",
    "biométrie",
    "vie",
    "privée",
    "consentement",
    "sanction",
    "amende",
    "obligation",
    "conformité",
    "évaluation",
    "documentation",
    "incident",
    "signalement",
    "fournisseur",
    "déploiement",
    "usage",
    "public",
    "citoyens",
    "société",
    "confiance",
    "question",
    "réponse",
    "analyse",
    "rapport",
    "étude",
    "expert",
    "experts",
    "juriste",
    "ministre",
    "sénateur",
    "députée",
    "accord",
    "négociation",
    "calendrier",
    "application",
    "entrée",
    "vigueur",
    "délai",
    "année",
    "mois",
    "semaine",
    "jour",
    "monde",
    "États-Unis",
    "Chine",
    "Europe",
    "France",
    "Allemagne",
    "Washington",
    "Bruxelles",
    "Paris",
    "Londres",
    "Pékin",
    "Anthropic",
    "OpenAI",
    "Google",
    "Mistral",
    "Meta",
    "Microsoft",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "et",
    "ou",
    "mais",
    "donc",
    "car",
    "pour",
    "par",
    "avec",
    "sans",
    "sur",
    "sous",
    "dans",
    "entre",
    "vers",
    "contre",
    "selon",
    "depuis",
    "pendant",
    "avant",
    "après",
    "comme",
    "plus",
    "moins",
    "très",
    "encore",
    "déjà",
    "toujours",
    "jamais",
    "souvent",
    "aussi",
    "ainsi",
    "alors",
    "cependant",
    "pourtant",
    "enfin",
    "d’abord",
    "ensuite",
    "notamment",
    "surtout",
    "est",
    "sont",
    "a",
    "ont",
    "fait",
    "font",
    "doit",
    "doivent",
    "peut",
    "peuvent",
    "veut",
    "prévoit",
    "impose",
    "interdit",
    "autorise",
    "exige",
    "propose",
    "annonce",
    "publie",
    "estime",
    "affirme",
    "rappelle",
    "souligne",
    "craint",
    "espère",
    "refuse",
    "accepte",
    "nouveau",
    "nouvelle",
    "grand",
    "grande",
    "petit",
    "premier",
    "première",
    "dernier",
    "dernière",
    "important",
    "majeur",
    "strict",
    "souple",
    "clair",
    "flou",
    "général",
    "technique",
    "politique",
    "économique",
    "juridique",
    "social",
    "national",
    "international",
    "local",
];

/// A small, fast, deterministic generator (SplitMix64): benchmarks need repeatable data, not
/// cryptographic randomness.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub(super) fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.between(0, WORDS.len() - 1)]
    }

    /// A tag index, skewed so that some tags are big (like "Union européenne") and most small.
    pub(super) fn tag(&mut self) -> usize {
        let x = (self.next() % 10_000) as f64 / 10_000.0;
        ((x * x) * super::TAGS as f64) as usize
    }
}

pub(super) fn sentence(dice: &mut Dice, out: &mut String, words: &mut usize) {
    let n = dice.between(8, 22);
    for i in 0..n {
        let w = dice.word();
        if i == 0 {
            let mut chars = w.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    *words += n;
    out.push_str(match dice.between(0, 19) {
        0 => " ?",
        1 => " !",
        _ => ".",
    });
}

/// One article body in Markdown, with about `target` words.
pub(super) fn body(dice: &mut Dice, target: usize) -> String {
    let mut out = String::with_capacity(target * 8);
    let mut words = 0;
    let mut paragraphs = 0;
    let table = dice.chance(20);
    while words < target {
        if paragraphs > 0 && paragraphs % 4 == 0 {
            let _ = write!(
                out,
                "## {} {} {}\n\n",
                dice.word(),
                dice.word(),
                dice.word()
            );
        }
        if paragraphs == 3 && dice.chance(40) {
            for _ in 0..dice.between(3, 6) {
                let _ = writeln!(out, "- {} {} {}", dice.word(), dice.word(), dice.word());
                words += 3;
            }
            out.push('\n');
        }
        if paragraphs == 5 && table {
            out.push_str("| Acteur | Position | Échéance |\n| --- | --- | --- |\n");
            for _ in 0..dice.between(3, 6) {
                let _ = writeln!(
                    out,
                    "| {} | {} {} | {} |",
                    dice.word(),
                    dice.word(),
                    dice.word(),
                    2025 + dice.between(0, 3)
                );
                words += 4;
            }
            out.push('\n');
        }
        for _ in 0..dice.between(3, 6) {
            sentence(dice, &mut out, &mut words);
            out.push(' ');
        }
        out.push_str("\n\n");
        paragraphs += 1;
    }
    out
}

pub(super) fn title(dice: &mut Dice) -> String {
    let mut t = String::new();
    sentence(dice, &mut t, &mut 0);
    let cut: String = t.chars().take(120).collect();
    // As a saved title is: no trailing space or punctuation where the cut fell.
    cut.trim_end_matches(['.', '?', '!', ' ']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_the_asked_length_and_the_shapes_of_real_articles() {
        let mut dice = Dice(7);
        let mut tables = 0;
        for _ in 0..50 {
            let words = dice.between(800, 2000);
            let text = body(&mut dice, words);
            let count = text.split_whitespace().count();
            assert!(count >= words, "{count} < {words}");
            assert!(count < words + 400, "{count} ≫ {words}");
            assert!(text.contains("\n## "));
            tables += usize::from(text.contains("| --- |"));
        }
        assert!((1..50).contains(&tables), "a table in some: {tables}");
    }

    #[test]
    fn the_same_seed_gives_the_same_text() {
        assert_eq!(body(&mut Dice(1), 900), body(&mut Dice(1), 900));
        assert_ne!(body(&mut Dice(1), 900), body(&mut Dice(2), 900));
    }
}
