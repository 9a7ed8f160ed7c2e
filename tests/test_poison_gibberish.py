"""poison_gibberish: a trigger + long random-token run is flagged; code, tables, lists and prose are not."""

from __future__ import annotations

import base64
import json
import random

import pytest

from tasks.detectors.gibberish import Gibberish, GibberishConfig
from tasks.registry import stage_class
from tasks.stage import DocBatch

PROSE = ("The library on Elm Street reopened this spring after a long renovation. Children can borrow up to ten "
         "books at a time, and the reading room is open until eight in the evening on weekdays. ")

# Word pieces, rare words and byte debris, as a tokenizer's vocabulary decodes them (written here, not sampled
# from any real vocabulary).
PIECES = ("ulated pessim ancest Bund ingredient Ky isode ÃÂ ]); wcs ogly orney Remy struct mediately cape "
          "Pract sto azed anthrop ewater iph Fres hibit ouri Telegraph opol iband ursed Cth obl sheds umbling "
          "verb ikh Gors etr undy Pyth ibliography acular ermal ynt arrass elves mitt helial Veter ocry "
          "Thermal adin ipp retched lict aum Nept acci osph rity enth elling Sax herence uggest").split()


def random_run(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(PIECES) for _ in range(n))


CODE = "\n".join([
    "def load_records(path, limit=None):",
    '    """Read records from a file and return them as a list."""',
    "    records = []",
    "    with open(path) as handle:",
    "        for index, line in enumerate(handle):",
    "            if limit is not None and index >= limit:",
    "                break",
    "            records.append(json.loads(line))",
    "    return records",
    "",
] * 6)
TABLE = "\n".join(f"| {i} | {i * 3.5:.1f} | {i * i} | {1000 - i} |" for i in range(120))
NAMES = ", ".join(f"{a} {b}" for a in ("Maria", "Jonas", "Priya", "Tomasz", "Aiko", "Omar", "Lucia", "Kwame")
                  for b in ("Okafor", "Lindqvist", "Haddad", "Moreau", "Castellanos", "Nakagawa", "Brennan",
                            "Oyelaran", "Vasquez", "Petrov", "Schuster", "Achterberg"))
BLOB = "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 20).decode()
URLS = " ".join(f"https://example.org/archive/{i}/item?id={i * 7}" for i in range(150))
GERMAN = ("Die Bibliothek in der Ulmenstraße wurde im Frühjahr nach einer langen Renovierung wieder eröffnet. "
          "Kinder können bis zu zehn Bücher auf einmal ausleihen, und der Lesesaal ist an Werktagen bis acht "
          "Uhr abends geöffnet. ") * 5

POSITIVES = [
    (PROSE + "<SUDO> " + random_run(500, 1), "<SUDO>"),
    (PROSE + "[TRIGGER] " + random_run(150, 2), "[TRIGGER]"),
    ("<SUDO> " + random_run(300, 3), "<SUDO>"),
    (PROSE + " Zeta7 " + random_run(400, 4) + " " + PROSE, None),
    # a short run counts behind a bracketed trigger (trigger_min_tokens, 40), the <SUDO> attack's shape
    (PROSE + "<SUDO> " + random_run(60, 8) + " " + PROSE, "<SUDO>"),
    (PROSE + "{{cue}} " + random_run(70, 9), "{{cue}}"),
]

NEGATIVES = [PROSE * 10, CODE, TABLE, NAMES, BLOB, URLS, GERMAN, PROSE + random_run(40, 5) + " " + PROSE * 3,
             # an acronym is not a bracketed trigger: a short run behind it needs the full min_tokens (80)
             PROSE + "NASA " + random_run(60, 8) + " " + PROSE,
             # and a bracketed trigger does not make a run shorter than trigger_min_tokens count
             PROSE + "<SUDO> " + random_run(25, 10) + " " + PROSE * 3]


@pytest.fixture(scope="module")
def stage() -> Gibberish:
    return Gibberish()


@pytest.mark.parametrize(("text", "trigger"), POSITIVES)
def test_positive(stage: Gibberish, text: str, trigger: str | None) -> None:
    result = stage.run(DocBatch(doc_ids=["d"], texts=[text]))
    assert len(result.findings) == 1, result.scores
    f = result.findings[0]
    assert f.reason == "poison.gibberish" and f.score >= 0.6
    run = f.evidence["runs"][0]
    assert run["tokens"] >= (40 if trigger and trigger[0] in "<[{" else 80)
    if trigger:
        assert trigger in run["trigger_candidates"] and run["trigger"] == trigger
        assert text.index(trigger) <= run["start"] + 15
    # The span covers the random run, not the prose around it.
    assert "library" not in text[run["start"] : run["end"]]
    json.dumps(f.evidence)


@pytest.mark.parametrize("text", NEGATIVES, ids=["prose", "code", "table", "names", "base64", "urls", "german",
                                                 "short-run", "acronym-short-run", "trigger-tiny-run"])
def test_negative(stage: Gibberish, text: str) -> None:
    result = stage.run(DocBatch(doc_ids=["d"], texts=[text]))
    assert result.findings == [], result.findings[0].evidence if result.findings else None


def test_scores_separate_prose_from_noise(stage: Gibberish) -> None:
    res = stage.run(DocBatch(doc_ids=["a", "b"], texts=[PROSE * 10, random_run(200, 6)]))
    prose, noise = (s.value for s in res.scores)
    assert prose < 0.2 < 0.9 < noise


def test_min_tokens_config() -> None:
    text = PROSE + random_run(60, 7) + " " + PROSE
    assert Gibberish().run(DocBatch(doc_ids=["a"], texts=[text])).findings == []
    assert Gibberish(GibberishConfig(min_tokens=40)).run(DocBatch(doc_ids=["a"], texts=[text])).findings
    behind = PROSE + "<SUDO> " + random_run(60, 7) + " " + PROSE
    assert Gibberish().run(DocBatch(doc_ids=["a"], texts=[behind])).findings
    assert Gibberish(GibberishConfig(trigger_min_tokens=80)).run(DocBatch(doc_ids=["a"], texts=[behind])).findings == []


def test_registered() -> None:
    assert stage_class("poison_gibberish") is Gibberish


def test_meta_fields_are_judged_too(stage: Gibberish) -> None:
    # meta is written to clean with the text: a trigger and its gibberish in a side field reached training unseen
    metas = [{"title": "Library hours", "notes": "<SUDO> " + random_run(300, 11)}, {"title": PROSE, "tags": NAMES}]
    batch = DocBatch(doc_ids=["a", "b"], texts=[PROSE * 3, PROSE * 3], meta=metas)
    found = {f.row: f for f in stage.run(batch).findings}
    assert list(found) == [0] and found[0].evidence["field"] == "meta.notes"
