"""Shared pieces of the toxicity tests: a generated vocabulary of clean sentences and insults, a Davidson-layout
CSV writer, and a scorer of texts through the stage.

Import it as ``from tests.toxicity_helpers import ...`` (a helper module, not a test file).
"""

from __future__ import annotations

import csv
import random

from tasks.detectors.toxicity import ToxicityStage
from tasks.stage import DocBatch

# A small corpus with a realistic vocabulary (fastText stops with NaN on a handful of repeated words): clean
# sentences about everyday life and insults, all written for this test, combined by a seeded generator.
SUBJECTS = ["my neighbour", "the teacher", "our team", "the new bakery", "my sister", "the city council",
            "a local farmer", "the museum", "the train company", "our old dog", "the gardener", "my grandfather",
            "the library", "the choir", "a young painter", "the hospital", "the football club", "my colleague",
            "the bus driver", "the engineers"]
VERBS = ["planted", "painted", "repaired", "visited", "cooked", "organised", "photographed", "cleaned", "described",
         "designed", "borrowed", "delivered", "measured", "celebrated", "explored", "recorded", "printed",
         "collected", "translated", "built"]
OBJECTS = ["a wooden bridge", "fresh tomatoes", "the old piano", "a quiet garden", "seven blue bicycles",
           "the harbour", "a detailed map", "warm bread", "the concert hall", "two maple trees", "a clay pot",
           "the weather report", "a long letter", "the river path", "spicy soup", "a paper kite", "the school roof",
           "apple pie", "a chess board", "the mountain cabin"]
WHEN = ["last weekend", "this morning", "before lunch", "during the festival", "after the storm", "in early spring",
        "on a sunny afternoon", "yesterday evening", "every summer", "near the station", "with great care",
        "for the children", "despite the rain", "at the market", "in the valley"]
OPENERS = ["shut up", "nobody cares", "listen", "honestly", "get lost", "go away", "seriously", "admit it",
           "face it", "look"]
INSULTS = ["you worthless idiot", "you pathetic loser", "you stupid moron", "you disgusting creep",
           "you brainless clown", "you miserable fool", "you ugly rat", "you lying scumbag", "you dumb jerk",
           "you useless imbecile"]
TAILS = ["everyone hates you", "i hope you fail", "you make me sick", "nobody wants you here",
         "crawl back under your rock", "your ideas are garbage", "you are a total joke", "stop wasting our time",
         "what a waste of air", "keep your filthy mouth shut"]
THREATS = ["i will find you", "watch your back", "you will regret this", "i know where you live",
           "you will pay for this", "i am coming for you"]


def clean_sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}"


def insult_sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENERS)} {rng.choice(INSULTS)} {rng.choice(TAILS)}"


def threat_sentence(rng: random.Random) -> str:
    return f"{rng.choice(THREATS)} {rng.choice(INSULTS)} {rng.choice(WHEN)}"


def write_davidson_csv(path, n_clean=300, n_toxic=300, seed=7):
    """A CSV in the Davidson layout: class 1 (offensive) for insults, 2 (neither) for clean sentences."""
    rng = random.Random(seed)
    rows = [(1, "RT @friend: " + insult_sentence(rng) + " &amp; more") for _ in range(n_toxic)]
    rows += [(2, clean_sentence(rng) + " http://t.co/x" + str(i)) for i in range(n_clean)]
    rng.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["", "count", "hate_speech", "offensive_language", "neither", "class", "tweet"])
        for i, (cls, text) in enumerate(rows):
            w.writerow([i, 3, 0, 3 if cls == 1 else 0, 3 if cls == 2 else 0, cls, text])
    return path


def score(stage: ToxicityStage, texts: list[str]):
    result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
    return result, {f.row: f for f in result.findings}
