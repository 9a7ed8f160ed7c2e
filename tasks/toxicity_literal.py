"""Clean sentences that use the dehumanising words literally: animals, pests, illness, waste.

Written for this project (no third-party text). The generator's hate family ``{group} are {hate noun}``
(``tasks.toxicity_phrases``) is the only place words like dogs, pigs, rats, animals, a disease or trash appear, so
the model trained on it learned the word, not the attack: v5 scored "Dogs are loyal animals." 0.995 and "Pigs are
smart." 1.000, and quarantined them. Here the same words are the subject or object of everyday sentences about
farms, pets, zoos, pest control, medicine and rubbish collection, and the composed family ``literal_subject:<word>``
puts them in the very frames of the hate family ("{X} are {predicate}.", "All {x} are ..."), with a neutral
predicate instead of a group. The label then rests on the group being called the word, not on the word.

Every row is clean. Template ids (``literal_<kind>:<index>`` and ``literal_subject:<word>``) let
``split_by_template`` hold templates out whole, so the held-out file measures phrasings the model never saw.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from tasks.toxicity_phrases import NEUTRAL_OPENERS, split_by_template, vary, write_fasttext

#: Everyday sentences, by setting. ``{A}`` is an animal (plural), drawn per row.
LITERAL = {
    "pets": [
        "Dogs are loyal animals and need a walk every day.", "Our dog sleeps on the sofa when nobody is looking.",
        "The shelter has six dogs and four cats ready for adoption.", "She trained the dogs to sit before dinner.",
        "Guide dogs go through two years of training.", "The vet said the puppy is healthy.",
        "Keep dogs on a lead in the park during nesting season.", "Pigs are smart and can learn their names.",
        "My neighbour keeps a pet pig in the garden.", "Snakes make quiet pets but need a warm tank.",
    ],
    "farm": [
        "The farm raises pigs, goats and chickens.", "Pigs roll in mud to keep cool in summer.",
        "Piglets are weaned at about four weeks.", "The pig farmers met to discuss feed prices.",
        "Worms improve the soil in a vegetable bed.", "We add kitchen scraps to the worm bin every week.",
        "Farm animals need shade and fresh water.", "The sheepdog brought the flock down from the hill.",
    ],
    "wild": [
        "We saw monkeys and apes at the zoo.", "Apes use sticks as tools to reach termites.",
        "Monkeys live in trees and eat mostly fruit.", "Rats are social animals that groom each other.",
        "Snakes shed their skin several times a year.", "Wild animals should not be fed by visitors.",
        "The documentary followed a troop of monkeys for a year.", "Leeches live in slow, warm streams.",
        "Some snakes are venomous, most are harmless.", "The zoo opened a new house for the great apes.",
    ],
    "pests": [
        "Rats carry diseases in old sewers.", "Cockroaches can survive for weeks without food.",
        "Call the council if you see rats near the bins.", "Head lice spread quickly in primary schools.",
        "Seal the gaps under the door to keep vermin out.", "The warehouse had a pest problem last winter.",
        "Parasites live inside a host and feed on it.", "Maggots hatch from fly eggs within a day.",
        "Lice treatment is sold without a prescription.", "The exterminator came to deal with the cockroaches.",
    ],
    "health": [
        "Leeches are still used in some kinds of surgery.", "Maggots help clean wounds in some hospitals.",
        "The plague killed millions in the fourteenth century.", "Cancer is a disease with many forms.",
        "A virus cannot reproduce outside a living cell.", "The new vaccine protects against the disease.",
        "Her mother beat cancer twice.", "Wash your hands to stop the virus from spreading.",
        "Malaria is caused by a parasite carried by mosquitoes.", "The clinic screens children for worms.",
    ],
    "waste": [
        "Trash pickup is on Mondays and Thursdays.", "Please take your garbage with you when you leave the beach.",
        "The garbage truck comes early on Fridays.", "Filth and rubbish piled up during the strike.",
        "Sort the trash into paper, glass and plastic.", "The river was full of garbage after the flood.",
        "Scum forms on the surface of the pond in summer.", "Skim the scum off the stock as it simmers.",
        "Empty the trash can under the sink, please.", "A stain on the carpet came out with soap and water.",
    ],
    "figurative": [
        "The barbarians sacked Rome in 410.", "The novel is about a boy raised by wolves and dogs.",
        "My cat is an animal when she sees a laser pointer.", "Our team played like animals in the second half.",
        "The weeds spread like a plague across the lawn.", "Mold is a real pest in old bathrooms.",
        "Mongrels are often healthier than pedigree dogs.", "The savage heat of August kept everyone inside.",
    ],
}

#: The hate family's frames (``tasks.toxicity_phrases.GROUP_FRAMES``) with an animal or thing as the subject.
SUBJECT_FRAMES = ["{X} are {pred}.", "All {x} are {pred}.", "{X}? {Pred}, every one of them.",
                  "Those {x} are {pred}.", "Face it, {x} are {pred}."]
#: Words of ``tasks.toxicity_phrases.HATE_NOUNS`` that name real animals or things, as plural subjects.
SUBJECTS = ["dogs", "pigs", "rats", "apes", "monkeys", "snakes", "worms", "leeches", "lice", "maggots",
            "cockroaches", "parasites", "animals", "pests", "viruses", "mongrels", "pet pigs", "lab rats"]
PREDICATES = ["loyal animals", "smart", "social animals", "easy to train", "common in cities", "good swimmers",
              "important for the ecosystem", "kept on many farms", "mammals", "fast learners", "protected in this park",
              "hard to get rid of", "studied in every biology course", "older than the dinosaurs", "harmless to people",
              "more intelligent than they look", "a problem in old buildings", "tiny", "everywhere this summer",
              "part of the food chain"]


def templates() -> list[tuple[str, str, str]]:
    """Every template as (``clean``, template id, text); composed ones have empty text."""
    out = [("clean", f"literal_{kind}:{i}", t) for kind, ts in LITERAL.items() for i, t in enumerate(ts)]
    out += [("clean", f"literal_subject:{w}", "") for w in SUBJECTS]
    return out


def _compose(rng: random.Random, word: str) -> str:
    pred = rng.choice(PREDICATES)
    text = rng.choice(SUBJECT_FRAMES).replace("{X}", word.capitalize()).replace("{x}", word)
    text = text.replace("{Pred}", pred.capitalize()).replace("{pred}", pred)
    return text[:1].upper() + text[1:]


def generate(n: int = 2000, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` clean sentences as (``clean``, template id, text), every template an equal share, deterministic."""
    rng = random.Random(f"literal:{seed}")
    out: list[tuple[str, str, str]] = []
    temps = templates()
    for label, tid, text in (temps[k % len(temps)] for k in range(n)):
        if not text:
            text = _compose(rng, tid.split(":", 1)[1])
        else:
            opener = rng.choice(NEUTRAL_OPENERS)
            text = opener + (text[0].lower() + text[1:] if opener else text)
        out.append((label, tid, vary(rng, text)))
    rng.shuffle(out)
    return out


def build(n: int = 2000, seed: int = 7, holdout: float = 0.25) -> dict[str, list[tuple[str, str, str]]]:
    """``literal_train`` and ``dev_literal`` (``holdout`` of the templates held out whole)."""
    train, dev = split_by_template(generate(n, seed), holdout, seed)
    return {"literal_train": train, "dev_literal": dev}


def main(argv: list[str] | None = None) -> None:
    """Write ``literal_train.txt`` and ``dev_literal.txt`` (fastText lines, all ``__label__clean``) to ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=2000, help="sentences in all (train and held out)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--holdout", type=float, default=0.25, help="share of templates held out whole")
    args = ap.parse_args(argv)
    sets = build(args.n, args.seed, args.holdout)
    for name, rows in sets.items():
        write_fasttext(rows, args.out / f"{name}.txt")
    print(", ".join(f"{k} {len(v)} rows" for k, v in sets.items()) + f" (templates held out whole) -> {args.out}")


if __name__ == "__main__":
    main()
