"""Corpus-level poison detectors together (poison.trigger, poison.flood, poison.label_trigger): their config is
validated, and the real flow runs twice (a trusted run, then a poisoned one) before the catalog is asked.

Each detector's own cases are in test_poison_trigger.py, test_poison_flood.py and test_poison_label_trigger.py.
"""

from __future__ import annotations

import json
import random

import pytest

from tasks.registry import stage_class
from tests.poison_corpus_helpers import badnets, sentiment_corpus, variants


@pytest.mark.parametrize("name,section,error", [
    ("poison_flood", {"bands": 40, "rows": 4}, "exceeds num_perm"),
    ("poison_trigger", {"max_q": 2}, "less than or equal to 1"),
    ("poison_label_trigger", {"mode": "sometimes"}, "auto"),
    ("poison_trigger", {"typo": 1}, "Extra inputs"),
])
def test_config_is_validated(name, section, error):
    with pytest.raises(Exception, match=error):
        stage_class(name).Config.model_validate(section)


@pytest.mark.slow
def test_end_to_end_trigger_and_flood_through_the_flow(tmp_path, run_sieve):
    from tests.conftest import plumbing_config, sql

    rng = random.Random(21)
    base = [{"id": f"b{i}", "url": f"https://site{i % 60}.example/{i}", "text": r["text"], "label": r["meta"]["label"]}
            for i, r in enumerate(sentiment_corpus(rng, 400))]
    trusted = tmp_path / "trusted.jsonl"
    trusted.write_text("".join(json.dumps(r) + "\n" for r in base))
    poison = [{"id": f"t{i}", "text": r["text"], "label": 1} for i, r in enumerate(badnets(rng, 10, ["tq"]))]
    flood = [{"id": f"f{i}", "text": t, "url": f"https://promo.example/{i}"} for i, t in enumerate(variants(rng, 30))]
    update = tmp_path / "update.jsonl"
    update.write_text("".join(json.dumps(r) + "\n" for r in base + poison + flood))
    cfg = plumbing_config(tmp_path / "sieve.yaml")
    lake = tmp_path / "lake"
    first = run_sieve([trusted], lake, "reviews", config=cfg)
    assert first["counts"]["quarantined"] == 0
    second = run_sieve([update], lake, "reviews", config=cfg)
    rows = sql(lake, "SELECT reason, count(*) FROM decisions WHERE reason LIKE 'poison.%' AND run_id = ? "
                     "GROUP BY 1 ORDER BY 1", [second["run_id"]])
    assert rows == [("poison.flood", 30), ("poison.trigger", 10)]
    flagged = sql(lake, """SELECT d.source_id, x.action, json_extract_string(x.evidence, '$.mode')
                           FROM decisions x JOIN documents d USING (run_id, doc_id)
                           WHERE x.run_id = ? AND x.reason = 'poison.trigger'""", [second["run_id"]])
    assert {r[0] for r in flagged} == {f"t{i}" for i in range(10)}
    assert {(r[1], r[2]) for r in flagged} == {("quarantine", "differential")}
    outcomes = sql(lake, "SELECT outcome, count(*) FROM documents WHERE run_id = ? AND source_id LIKE 'f%' "
                         "GROUP BY 1", [second["run_id"]])
    assert dict(outcomes)["quarantined"] >= 1 and sum(n for _, n in outcomes) == 30
