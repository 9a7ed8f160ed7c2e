"""The bundled toxicity model: its thresholds match its card, it finds one toxic line in a long clean page, and it
scores English text (with near misses from tweets and web pages).
"""

from __future__ import annotations

import random
import re

import pytest

from tasks import toxicity_train as tt
from tasks.detectors.toxicity import (
    BUNDLED_MODEL,
    BUNDLED_THRESHOLDS,
    BUNDLED_WINDOW_THRESHOLD,
    ToxicityConfig,
    ToxicityStage,
)
from tests.conftest import ROOT
from tests.toxicity_helpers import clean_sentence, score


def test_bundled_model_threshold_matches_its_card():
    card = (ROOT / "data" / "models" / "toxicity-davidson.md").read_text()
    assert BUNDLED_MODEL.is_file() and tt.sha256_file(BUNDLED_MODEL) in card
    shipped = dict(re.findall(r"^      (\w+): ([0-9.]+)$", card, flags=re.M))
    assert {k: float(v) for k, v in shipped.items()} == BUNDLED_THRESHOLDS


def test_bundled_model_finds_one_toxic_line_in_a_long_clean_page(bundled_toxicity):
    rng = random.Random(12)
    lines = [clean_sentence(rng).capitalize() + "." for _ in range(30)]
    clean = "\n".join(lines)
    toxic = "\n".join(lines[:14] + ["Shut the fuck up, you stupid bitch."] + lines[14:])
    stage = bundled_toxicity
    doc_thr = BUNDLED_THRESHOLDS["toxic"]
    win_thr = BUNDLED_WINDOW_THRESHOLD
    assert stage.cfg.window_threshold_for("toxic") == win_thr and stage.cfg.threshold_for("toxic") == doc_thr
    result, found = score(stage, [toxic, clean])
    assert list(found) == [0]
    ev = found[0].evidence
    assert ev["decided_by"] == "window" and ev["doc_score"] < doc_thr and ev["window"]["score"] >= win_thr
    assert "stupid bitch" in toxic[ev["window"]["start"]:ev["window"]["end"]] and ev["window_threshold"] == win_thr
    # a window must reach the window threshold on its own: raised above the worst window's score, nothing is found
    above = (ev["window"]["score"] + 1.0) / 2
    assert score(ToxicityStage(ToxicityConfig(window_threshold=above)), [toxic])[1] == {}
    # the decisive score reaches the document threshold exactly when the record is reported
    by_row = {(s.row, s.name): s.value for s in result.scores}
    assert by_row[(0, "toxic")] >= doc_thr > by_row[(1, "toxic")]
    assert by_row[(0, "toxic")] == pytest.approx(ev["score"], abs=1e-4) and by_row[(0, "toxic_doc")] < doc_thr


@pytest.mark.parametrize(("text", "toxic"), [
    ("shut the fuck up you stupid bitch", True),
    ("RT @someone: this hoe is a lying ass bitch lmao", True),
    ("I baked bread with my grandmother this afternoon and it turned out great.", False),
    ("The committee will publish the budget report on Monday.", False),
    # near miss: a word the Davidson data uses as a slur, in its ordinary sense
    ("A brown bird landed on the feeder in our garden this morning.", False),
    # near misses from web pages: a price list, a list of names (words the tweets never had)
    ("Wedding invitations\n- 500 cards $75.00 full colour both sides\n- 1000 cards $99.00\nSet-up fee $20.00", False),
    ("Front row: W. Hartley, Mrs. Osterberg, E. Vandermolen. Second row: B. Quillfeather, R. Annesley.", False),
])
def test_bundled_model_scores_english_text(bundled_toxicity, text, toxic):
    _, found = score(bundled_toxicity, [text])
    assert bool(found) == toxic
