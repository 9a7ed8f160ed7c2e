"""poison_homoglyph: disguised words are flagged with their skeleton; real Greek/Cyrillic prose passes."""

from __future__ import annotations

import json

import pytest

from tasks.detectors.homoglyph import HomoglyphConfig, Homoglyphs
from tasks.registry import stage_class
from tasks.stage import DocBatch

CYR_A, CYR_E, CYR_O, CYR_P, CYR_C = "\u0430", "\u0435", "\u043e", "\u0440", "\u0441"

POSITIVES = [
    # (text, disguised word, expected skeleton, kind)
    (f"Log in to your p{CYR_A}ypal account today.", f"p{CYR_A}ypal", "paypal", "mixed"),
    (f"The secret word is d{CYR_E}ploy and nothing else.", f"d{CYR_E}ploy", "deploy", "mixed"),
    (f"Reset the {CYR_P}assword before Friday.", f"{CYR_P}assword", "password", "mixed"),
    ("A Greek omicron inside g\u03bfogle fools readers.", "g\u03bfogle", "google", "mixed"),
    # A capital Greek Alpha at the start of a Latin word is a disguise, not notation.
    ("Buy the new \u0391pple phone here.", "\u0391pple", "apple", "mixed"),
    (f"Please {CYR_P}ay the invoice: it is {CYR_P}{CYR_A}{CYR_C}t due.", f"{CYR_P}{CYR_A}{CYR_C}t",
     "pact", "mixed"),
    # A whole word in Cyrillic look-alikes inside English prose.
    (f"Click here to {CYR_P}{CYR_A}\u0443 now and claim the prize.", f"{CYR_P}{CYR_A}\u0443", "pay", "whole"),
    # A Latin letter planted inside a Russian word (privet with a Latin p for the Cyrillic er).
    ("\u041c\u044b \u0433\u043e\u0432\u043e\u0440\u0438\u043c \u043fp\u0438\u0432\u0435\u0442 "
     "\u0434\u0440\u0443\u0437\u044c\u044f\u043c.", "\u043fp\u0438\u0432\u0435\u0442",
     "\u043f\u0440\u0438\u0432\u0435\u0442", "mixed"),
    # Mathematical bold / full-width letters inside a plain Latin word.
    ("Log in at p\U0001d41ayp\U0001d41al today.", "p\U0001d41ayp\U0001d41al", "paypal", "styled"),
    ("Reset the p\uff41ssword now.", "p\uff41ssword", "password", "styled"),
]

NEGATIVES = [
    "Plain English with no tricks at all.",
    "Caf\u00e9 cr\u00e8me and na\u00efve fa\u00e7ade are ordinary Latin letters.",
    # Greek prose (my own sentence: "The sea was calm and the sun was shining over the island.")
    "Η θάλασσα ήταν ήρεμη και ο ήλιος έλαμπε πάνω από το νησί.",
    # Cyrillic prose (my own sentence: "In the morning we went to the market and bought apples.")
    "\u0423\u0442\u0440\u043e\u043c \u043c\u044b \u043f\u043e\u0448\u043b\u0438 \u043d\u0430 "
    "\u0440\u044b\u043d\u043e\u043a \u0438 \u043a\u0443\u043f\u0438\u043b\u0438 \u044f\u0431\u043b\u043e"
    "\u043a\u0438. \u041e\u043d\u0430 \u0441\u043a\u0430\u0437\u0430\u043b\u0430: \u0440\u0430\u043a, "
    "\u0441\u043e\u0440, \u0442\u043e\u043f.",
    # Russian prose that quotes Latin brand names as whole words.
    "\u042f \u043a\u0443\u043f\u0438\u043b iPhone \u0438 Samsung \u0432 \u043c\u0430\u0433\u0430\u0437"
    "\u0438\u043d\u0435.",
    # Scientific notation: Greek letters attached to Latin names, units.
    "Levels of TNF\u03b1 and IFN\u03b3 rose, A\u03b2 plaques grew by 5 \u03bcm in the \u03b1-helix.",
    # An English sentence quoting a Russian word whose skeleton is not an English word.
    "The Russian word \u043c\u043e\u0441\u043a\u0432\u0430 names the capital.",
    # Greek words quoted in English text are single-script and not look-alikes of common words.
    "The word \u03bb\u03cc\u03b3\u03bf\u03c2 means reason.",
    # Wholly styled words (social media typography) and math variables pasted next to a function name.
    "Big news: \U0001d41b\U0001d428\U0001d428\U0001d424 sale this week only.",
    "Then sin\U0001d465 is odd and log\U0001d45b grows slowly; \U0001d453(\U0001d465) = 2\U0001d465.",
]


@pytest.fixture(scope="module")
def stage() -> Homoglyphs:
    return Homoglyphs()


@pytest.mark.parametrize(("text", "word", "skeleton", "kind"), POSITIVES)
def test_positive(stage: Homoglyphs, text: str, word: str, skeleton: str, kind: str) -> None:
    result = stage.run(DocBatch(doc_ids=["d"], texts=[text]))
    assert len(result.findings) == 1
    f = result.findings[0]
    assert f.reason == "poison.homoglyph"
    item = next(i for i in f.evidence["items"] if i["word"] == word)
    assert item["skeleton"].lower() == skeleton
    assert item["kind"] == kind
    assert text[item["start"] : item["end"]] == word
    assert any(text[s.start : s.end] == word for s in f.spans)
    assert 0.6 <= f.score <= 1.0
    json.dumps(f.evidence)


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(stage: Homoglyphs, text: str) -> None:
    result = stage.run(DocBatch(doc_ids=["d"], texts=[text]))
    assert result.findings == [], result.findings[0].evidence if result.findings else None
    assert [s.value for s in result.scores] == [0.0]


def test_known_word_scores_higher(stage: Homoglyphs) -> None:
    known = stage.run(DocBatch(doc_ids=["a"], texts=[f"open the d{CYR_O}or"])).findings[0].score
    odd = stage.run(DocBatch(doc_ids=["a"], texts=[f"zq{CYR_O}xv is odd"])).findings[0].score
    assert known > odd


def test_min_letters_config() -> None:
    text = f"x{CYR_O} is short"
    assert Homoglyphs().scan(text) == []
    assert Homoglyphs(HomoglyphConfig(min_letters=2)).run(DocBatch(doc_ids=["a"], texts=[text])).findings


def test_registered() -> None:
    assert stage_class("poison_homoglyph") is Homoglyphs
