"""The toxicity stage also judges a record's meta string fields (written to clean with the text), but not fields of
one or two words, which the model can only read by their character n-grams."""

from __future__ import annotations

import json

from tasks.stage import DocBatch
from tests.conftest import plumbing_config, sql

CLEAN = "The committee will publish the budget report on Monday after the public hearing."


def _run(stage, metas):
    batch = DocBatch(doc_ids=[str(i) for i in range(len(metas))], texts=[CLEAN] * len(metas), meta=metas)
    result = stage.run(batch)
    return result, {f.row: f for f in result.findings}


def test_a_toxic_title_is_found_and_named(bundled_toxicity):
    result, found = _run(bundled_toxicity, [{"title": "shut the fuck up you stupid bitch", "author": "Dana"},
                                            {"title": "Budget day"}])
    assert list(found) == [0]
    assert found[0].reason == "toxicity.toxic" and found[0].evidence["field"] == "meta.title"
    assert found[0].spans == ()  # offsets into a field are not offsets into the text
    # the record's decisive score is its worst field's, so the score and the finding agree
    by_row = {(s.row, s.name): s.value for s in result.scores}
    assert by_row[(0, "toxic")] >= 0.75 > by_row[(1, "toxic")]


def test_short_fields_are_not_judged(bundled_toxicity):
    # user names the bundled model scored 0.83 and 0.92 as whole texts (character n-grams of slurs)
    _, found = _run(bundled_toxicity, [{"author": "hollyhock"},
                                       {"author": "mossyrock", "tags": ["garden", "rock plants"]}])
    assert found == {}


def test_a_run_quarantines_a_record_for_its_meta_and_says_which_field(tmp_path, run_sieve):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"text": CLEAN, "title": "you worthless idiot, everyone hates you, shut up"}) + "\n"
                   + json.dumps({"text": "Volunteers planted forty oak trees along the river path last spring.",
                                 "title": "Budget hearing on Monday"}) + "\n")
    cfg = plumbing_config(tmp_path / "s.yaml", stages={"toxicity": {"enabled": True}})
    run_sieve([src], tmp_path / "lake", config=cfg)
    rows = sql(tmp_path / "lake", "SELECT d.outcome, json_extract_string(x.evidence, '$.field') FROM documents d "
                                  "LEFT JOIN decisions x ON x.run_id = d.run_id AND x.doc_id = d.doc_id "
                                  "AND x.reason LIKE 'toxicity.%' ORDER BY d.source_record")
    assert rows == [("quarantined", "meta.title"), ("clean", None)]
