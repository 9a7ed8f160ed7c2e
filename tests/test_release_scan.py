"""``sieve release`` of an approved ``input.too_long`` record: no stage read it in the run, so the release analyses
it for PII before it enters clean (an e-mail address in it must be redacted like any clean record's)."""

from __future__ import annotations

import json

from tasks.lake import Lake
from tasks.review.release import release
from tasks.review.release_scan import WINDOW_CHARS, windows
from tasks.review.reviews import append_review
from tests.conftest import sql
from tests.review_fixtures import MAX_BYTES, write_review_config

EMAIL = "long.record.writer@example.org"


def test_release_redacts_pii_in_a_record_no_stage_read(tmp_path, run_sieve):
    body = "Notes on the orchard cooperative and its cider press, kept for the members. "
    assert MAX_BYTES < WINDOW_CHARS  # so a text of three windows is too long; one address lands in the middle one
    half = body * (WINDOW_CHARS * 3 // 2 // len(body))
    long_text = f"{half}Old contact: {EMAIL}. {half}Questions go to {EMAIL} before Friday."
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "long", "text": long_text, "contact": EMAIL}) + "\n"
                    + json.dumps({"id": "short", "text": "A short clean note about pears."}) + "\n")
    lake = tmp_path / "lake"
    result = run_sieve([path], lake, dataset="web", config=write_review_config(tmp_path / "sieve.yaml"), workers=1)
    assert result["counts"]["quarantined"] == 1
    [(doc_id, reasons)] = sql(lake, "SELECT doc_id, reasons FROM documents WHERE outcome = 'quarantined'")
    assert reasons == ["input.too_long"]  # the run never analysed it: no pii finding to redact from
    append_review(Lake(lake), doc_id, "alice", "approve", "the length is fine")

    summary = release(Lake(lake), "web")

    assert summary["released"] == 1 and summary["redactions"] == 3
    [(text, meta)] = sql(lake, "SELECT text, meta FROM clean WHERE run_id = ?", [summary["run_id"]])
    assert EMAIL not in text and text.endswith("Questions go to <EMAIL_ADDRESS> before Friday.")
    assert text == long_text.replace(EMAIL, "<EMAIL_ADDRESS>")
    assert json.loads(meta) == {"contact": "<EMAIL_ADDRESS>"}
    [(released_reasons,)] = sql(lake, "SELECT reasons FROM documents WHERE run_id = ?", [summary["run_id"]])
    assert released_reasons == ["input.too_long", "pii.EMAIL_ADDRESS"]

    # README cookbook 5 traces the released record to the file and run that read it (the release run has no sources)
    from tests.test_conservation import _cookbook

    lineage = sql(lake, f"SELECT * FROM ({_cookbook()[4].strip().rstrip(';')}) WHERE doc_id = ?", [doc_id])
    [(_, source_uri, record, sha, *_rest, released_from)] = lineage
    assert (source_uri, record, released_from) == (str(path), 0, result["run_id"]) and len(sha) == 64


def test_windows_cut_long_text_at_whitespace_and_cover_it_exactly():
    text = "word " * 50 + "x" * 40 + " tail"
    pieces = windows(text, size=64)
    assert "".join(p for _, p in pieces) == text
    assert all(text[off:off + len(p)] == p for off, p in pieces)
    assert all(p.endswith(" ") for _, p in pieces[:-1] if " " in p[32:])  # cut after a space when there is one
    assert max(len(p) for _, p in pieces) <= 64 and windows("short", size=64) == [(0, "short")]


def test_a_run_of_another_version_is_analysed_with_the_settings_this_one_knows():
    from tasks.review.release_scan import ReleaseScanner

    old = {"stages": {"pii": {"profile": "patterns", "entities": ["EMAIL_ADDRESS"], "retired_knob": 1}}}
    stage = ReleaseScanner("/nonexistent")._stage(json.dumps(old))  # must not fail every release of the dataset
    assert stage.config.profile == "patterns" and stage.config.entities == ["EMAIL_ADDRESS"]
    assert ReleaseScanner("/nonexistent")._stage(json.dumps({"stages": {"pii": {"enabled": False}}})) is None
