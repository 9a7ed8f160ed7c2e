"""PII in a record's meta values (fields besides the text, which clean keeps): found, redacted in clean, never
quoted in provenance."""

from __future__ import annotations

import json
import sys

import pyarrow.parquet as pq
import pytest

from tasks.detectors.pii import PiiConfig, PiiStage
from tasks.redact_meta import META_SPANS, joined_leaves, meta_leaves, meta_spans_of, redact_meta, split_span
from tasks.stage import DocBatch
from tests.pii_helpers import STRIPE

EMAIL, PHONE, IP = "grace.hopper@example.org", "+1 212 555 0199", "10.20.30.40"


def test_meta_walk_addresses_the_same_leaf_in_parsed_and_stored_meta():
    meta = {"a": "x@example.org", "b": [1, {"c": "é y@example.org"}, "z"], "d": None}
    stored = json.dumps(meta, ensure_ascii=True, sort_keys=True)
    assert [(i, p) for i, p, _ in meta_leaves(json.loads(stored))] == [(0, "a"), (1, "b[1].c"), (2, "b[2]")]
    new, n = redact_meta(stored, [(1, 2, 15, "EMAIL_ADDRESS"), (0, 0, 13, "EMAIL_ADDRESS")])
    assert n == 2 and json.loads(new) == {"a": "<EMAIL_ADDRESS>", "b": [1, {"c": "é <EMAIL_ADDRESS>"}, "z"],
                                          "d": None}
    assert redact_meta(stored, []) == (stored, 0) and redact_meta(None, [(0, 0, 1, "X")]) == (None, 0)


def test_meta_nested_near_the_json_depth_limit_is_walked_and_redacted():
    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    # as deep as json.loads takes from here: a recursive walk (a frame per level, in a stage's call stack) did not
    depth = sys.getrecursionlimit() - used - 12
    stored = "[" * depth + '"to x@example.org"' + "]" * depth
    meta = json.loads(stored)
    assert [(i, v) for i, _, v in meta_leaves(meta)] == [(0, "to x@example.org")]
    new, n = redact_meta(stored, [(0, 3, 16, "EMAIL_ADDRESS")])
    assert n == 1 and new == "[" * depth + '"to <EMAIL_ADDRESS>"' + "]" * depth
    res = PiiStage(PiiConfig(profile="patterns")).run(DocBatch(doc_ids=["a"], texts=["plain"], meta=[meta]))
    assert [f.reason for f in res.findings] == ["pii.EMAIL_ADDRESS"]


def test_a_span_of_the_joined_meta_text_splits_into_the_values_it_covers():
    values = ["ab", "cdef", "g"]
    text, starts = joined_leaves(values)
    assert [text[s:s + len(v)] for s, v in zip(starts, values, strict=True)] == values
    assert split_span(3, 5, starts, values) == [(1, 0, 1)]  # from the separator into "cdef"
    assert split_span(1, 11, starts, values) == [(0, 1, 2), (1, 0, 4), (2, 0, 1)]
    assert split_span(2, 4, starts, values) == []  # the separator alone


def test_stage_finds_pii_in_meta_values_with_offsets_and_no_raw_value():
    stage = PiiStage(PiiConfig(profile="patterns"))
    metas = [{"author_email": EMAIL, "tags": ["plain", f"call {PHONE}"], "n": 3}, None,
             {"nested": {"host": f"at {IP}"}}]
    texts = [f"Mail {EMAIL} again.", "Nothing personal here at all.", "Just text."]
    res = stage.run(DocBatch(doc_ids=["a", "b", "c"], texts=texts, meta=metas))
    found = {(f.row, f.reason): f for f in res.findings}
    assert set(found) == {(0, "pii.EMAIL_ADDRESS"), (0, "pii.PHONE_NUMBER"), (2, "pii.IP_ADDRESS")}
    email = found[(0, "pii.EMAIL_ADDRESS")]
    assert [(s.start, s.end) for s in email.spans] == [(5, 5 + len(EMAIL))]  # the text's own span
    leaves = {i: v for i, _, v in meta_leaves(metas[0])}
    got = {(leaf, leaves[leaf][a:b], label) for leaf, a, b, label in meta_spans_of(email.evidence)}
    assert got == {(0, EMAIL, "EMAIL_ADDRESS")}
    assert email.evidence[META_SPANS][0]["field"] == "meta.author_email"
    phone = meta_spans_of(found[(0, "pii.PHONE_NUMBER")].evidence)
    assert [leaves[leaf][a:b] for leaf, a, b, _ in phone] == [PHONE] and not found[(0, "pii.PHONE_NUMBER")].spans
    ip = meta_spans_of(found[(2, "pii.IP_ADDRESS")].evidence)
    assert [(leaf, "at 10.20.30.40"[a:b]) for leaf, a, b, _ in ip] == [(0, IP)]
    dumped = json.dumps([f.evidence for f in res.findings])
    assert EMAIL not in dumped and PHONE not in dumped and IP not in dumped
    scores = {(s.row, s.name): s.value for s in res.scores}
    assert scores[(0, "count")] == 3 and scores[(0, "meta_count")] == 2 and scores[(0, "count.EMAIL_ADDRESS")] == 2
    assert (1, "meta_count") not in scores and scores[(1, "count")] == 0


@pytest.mark.slow
def test_flow_redacts_meta_in_clean_and_quarantines_a_secret_there(tmp_path, run_sieve):
    from tests.conftest import plumbing_config, sql

    records = [
        {"id": "m1", "text": "A note about the weather and the tea we had.", "author_email": EMAIL,
         "contact": {"phone": PHONE, "why": "ask for grace"}},
        {"id": "m2", "text": "Server notes without anything personal in them.", "config": f"stripe {STRIPE}"},
        {"id": "m3", "text": f"Write to {EMAIL} today.", "cc": EMAIL},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    cfg = plumbing_config(tmp_path / "sieve.yaml", stages={"pii": {"enabled": True, "profile": "patterns"}})
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, "m", config=cfg, task_runner="threads")
    assert res["counts"]["clean"] == 2 and res["counts"]["quarantined"] == 1
    clean = {r["source_id"]: r for f in (lake / "clean").rglob("*.parquet") for r in pq.read_table(f).to_pylist()}
    assert json.loads(clean["m1"]["meta"]) == {"author_email": "<EMAIL_ADDRESS>",
                                               "contact": {"phone": "<PHONE_NUMBER>", "why": "ask for grace"}}
    assert clean["m1"]["redactions"] == 2 and clean["m1"]["text"] == records[0]["text"]
    assert json.loads(clean["m3"]["meta"]) == {"cc": "<EMAIL_ADDRESS>"}
    assert clean["m3"]["text"] == "Write to <EMAIL_ADDRESS> today."
    quarantined = [r for f in (lake / "quarantine").rglob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert [r["source_id"] for r in quarantined] == ["m2"]
    provenance = json.dumps(sql(lake, "SELECT * FROM decisions") + sql(lake, "SELECT * FROM scores"), default=str)
    for value in (EMAIL, PHONE, STRIPE):
        assert value not in provenance and all(value not in json.dumps(r) for r in clean.values())
    # approved for review, the record enters clean with the secret in its meta redacted, as in a run
    from tasks.lake import Lake
    from tasks.review.release import release
    from tasks.review.reviews import append_review

    doc_id = quarantined[0]["doc_id"]
    append_review(Lake(lake.resolve()), doc_id, "alice", "approve", "checked")
    assert release(Lake(lake.resolve()), "m")["released"] == 1
    (released,) = [r for (r,) in sql(lake, "SELECT meta FROM clean WHERE doc_id = ? AND run_id <> ?",
                                     [doc_id, res["run_id"]])]
    assert json.loads(released) == {"config": "stripe <SECRET_STRIPE_KEY>"}
