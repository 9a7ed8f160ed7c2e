"""poison.flood: bursts of near-identical records from one source (domain, account or input file), and the
history of earlier runs.
"""

from __future__ import annotations

import json
import random

import pytest

from tasks.detectors.poison_flood import SourceFlood
from tests.poison_corpus_helpers import run_stage, variants, web_doc, write_prior_run


def web_corpus(rng: random.Random, n: int = 300) -> list[dict]:
    return [{"text": web_doc(rng), "meta": {"url": f"https://site{rng.randint(1, 80)}.example/p/{i}"}}
            for i in range(n)]


FLOOD_CASES = {
    # name: (planted records builder, flagged?)
    "30 near-identical pages from one domain": (
        lambda r: [{"text": t, "meta": {"url": f"https://promo.example/item/{i}"}} for i, t in
                   enumerate(variants(r, 30))], True),
    "30 near-identical posts from one account across many domains": (
        lambda r: [{"text": t, "meta": {"author": "BulkPoster", "url": f"https://host{i}.example/"}} for i, t in
                   enumerate(variants(r, 30))], True),
    "30 exact copies in their own input file": (
        lambda r: [{"text": t, "source_uri": "drop-7.jsonl", "meta": {}} for t in variants(r, 1) * 30], True),
    "the same text syndicated by 30 domains": (
        lambda r: [{"text": t, "meta": {"url": f"https://paper{i}.example/wire"}} for i, t in
                   enumerate(variants(r, 30))], False),
    "10 near-identical pages from one domain (below min_docs)": (
        lambda r: [{"text": t, "meta": {"url": "https://promo.example/x"}} for t in variants(r, 10)], False),
    "40 different pages from one domain": (
        lambda r: [{"text": web_doc(r), "meta": {"url": "https://bigsite.example/a"}} for _ in range(40)], False),
}


@pytest.mark.parametrize("case", list(FLOOD_CASES))
def test_flood(tmp_path, case):
    make, positive = FLOOD_CASES[case]
    rng = random.Random(3)
    planted = [{**p, "doc_id": f"p{i:04d}"} for i, p in enumerate(make(rng))]
    found, _ = run_stage(SourceFlood(), tmp_path, web_corpus(rng) + planted)
    if positive:
        assert len(set(found) & {p["doc_id"] for p in planted}) >= 0.95 * len(planted)
        assert set(found) <= {p["doc_id"] for p in planted}
        ev = json.loads(next(iter(found.values()))["evidence"])
        assert ev["from_source"] >= 20 and ev["history_runs"] == 0
    else:
        assert found == {}


@pytest.mark.parametrize("prior_copies,flagged", [(0, True), (30, False)])
def test_flood_compares_with_history(tmp_path, prior_copies, flagged):
    """A source that sent the same template at the same volume in an earlier run is not bursting now."""
    rng = random.Random(9)
    copies = variants(rng, 60)
    lake = tmp_path / "lake"
    old = [{"text": t, "meta": {"url": "https://weather.example/today"}} for t in copies[:prior_copies]]
    write_prior_run(lake, "ds", "r0", web_corpus(rng, 50) + old)
    planted = [{"text": t, "meta": {"url": "https://weather.example/today"}, "doc_id": f"p{i:04d}"}
               for i, t in enumerate(copies[30:])]
    found, _ = run_stage(SourceFlood(), tmp_path, web_corpus(rng) + planted, prior_runs=["r0"], lake=lake)
    assert bool(found) is flagged
    if flagged:
        assert json.loads(next(iter(found.values()))["evidence"])["history_runs"] == 1


@pytest.mark.parametrize("fields,kind,flagged", [
    ({"url_fields": [], "account_fields": ["author"]}, "account", True),
    ({"url_fields": ["link"], "account_fields": []}, "domain", True),
    ({"url_fields": ["url"], "account_fields": []}, "account", False),  # the account field is not configured
])
def test_flood_source_fields_are_configurable(tmp_path, fields, kind, flagged):
    """Each record's meta is parsed once for every configured url and account field; a source kind whose fields
    are not configured finds nothing."""
    from tasks.detectors.poison_flood import FloodConfig

    rng = random.Random(4)
    planted = [{"text": t, "meta": {"author": "BulkPoster", "link": "https://promo.example/x", "url": f"https://h{i}.x/"},
                "doc_id": f"p{i:04d}"} for i, t in enumerate(variants(rng, 30))]
    if kind == "account":
        planted = [{**p, "meta": {**p["meta"], "link": f"https://h{i}.y/"}} for i, p in enumerate(planted)]
    found, _ = run_stage(SourceFlood(FloodConfig(**fields)), tmp_path, web_corpus(rng) + planted)
    assert bool(found) is flagged
    if flagged:
        assert set(found) == {p["doc_id"] for p in planted}
        assert {json.loads(r["evidence"])["source_kind"] for r in found.values()} == {kind}
