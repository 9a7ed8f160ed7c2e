"""Run reports: a self-contained, inert HTML page per run, and the Prefect artifacts of a real run."""

from __future__ import annotations

import json
import re

import pytest

from tasks import provenance
from tasks.lake import Lake
from tasks.report import HIST_BINS, report_path, score_histograms, write_report
from tests.conftest import plumbing_config

HOSTILE = '<img src=x onerror="alert(1)">'


def _run(lake: Lake, run_id: str, outcomes: dict, reasons: dict, scores: list[tuple]) -> None:
    provenance.write_run_row(lake, {"run_id": run_id, "dataset": "web", "status": "completed",
                                    "started_at": provenance.now(),
                                    "counts_json": provenance.counts_json(outcomes, reasons)})
    provenance.write_table_rows(lake, "sources", run_id, [
        {"run_id": run_id, "source_uri": f"/in/{HOSTILE}.jsonl", "sha256": "c" * 64, "records": 9},
        {"run_id": run_id, "source_uri": "/in/old.jsonl", "sha256": "d" * 64, "records": 0, "unchanged_since": "r0"},
    ])
    provenance.write_table_rows(lake, "scores", run_id, [
        {"run_id": run_id, "doc_id": f"d{i}", "stage": stage, "name": name, "value": v}
        for i, (stage, name, v) in enumerate(scores)
    ])


@pytest.fixture
def lake(tmp_path):
    lake = Lake.at(tmp_path / "lake")
    _run(lake, "r1", {"clean": 5, "duplicate": 1}, {"dup.exact": 1}, [])
    scores = [("toxicity", "toxic", v / 10) for v in range(10)] + [("pii", "count", 3.0)] * 4
    _run(lake, "r2", {"clean": 3, "quarantined": 2}, {"poison.injection": 2, f"pii.{HOSTILE}": 1}, scores)
    return lake


def test_report_is_self_contained_inert_and_escapes_data(lake):
    path = write_report(lake, "web", "r2", {"pii": 1.5, "dedup_exact": 0.25})
    assert path == report_path(lake, "r2") and path.name == "r2.html"
    page = path.read_text()
    assert "<script" not in page.lower() and "<img" not in page
    assert HOSTILE not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    # nothing to fetch: no remote URLs, no external stylesheets or images, and a CSP that forbids them
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "default-src 'none'" in page
    assert page.count("<svg") >= 5  # outcomes over runs, reasons, 2 histograms, timings
    # both runs of the dataset are in the outcomes chart, the current one marked
    assert "r1</text>" in page and "r2 ◀</text>" in page
    assert "1.500 s" in page and "poison.injection" in page
    assert "sources unchanged (incremental)</td><td>1" in page


def test_score_histograms_count_every_score(lake):
    hists = {(h["stage"], h["name"]): h for h in score_histograms(lake, "r2")}
    tox = hists[("toxicity", "toxic")]
    assert len(tox["counts"]) == HIST_BINS and sum(tox["counts"]) == tox["n"] == 10
    assert (tox["lo"], tox["hi"]) == (0.0, 0.9) and tox["counts"][-1] == 1  # the maximum falls in the last bin
    pii = hists[("pii", "count")]
    assert pii["counts"][0] == 4 and sum(pii["counts"]) == 4  # a constant score is one bar, not a division by 0
    assert score_histograms(lake, "r1") == []


@pytest.mark.slow
def test_flow_writes_report_and_publishes_artifacts(tmp_path, run_sieve):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["one calm sea", "one calm sea"]) + "{bad\n")
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, "rep-test", config=plumbing_config(tmp_path / "s.yaml"))
    assert res["report"] == str(lake / "reports" / f"{res['run_id']}.html")
    page = (lake / "reports" / f"{res['run_id']}.html").read_text()
    assert "dup.exact" in page and "input.malformed" in page

    import asyncio

    async def read():
        async with get_client() as client:
            flt = ArtifactFilter(key=ArtifactFilterKey(any_=["sieve-rep-test", "sieve-rep-test-summary"]))
            return await client.read_artifacts(artifact_filter=flt)

    artifacts = {a.key: a for a in asyncio.run(read())}
    rows = artifacts["sieve-rep-test"].data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    kinds = {(r["kind"], r["name"]): r["value"] for r in rows}
    assert kinds[("outcome", "duplicate")] == 1 and kinds[("reason", "input.malformed")] == 1
    assert kinds[("source", str(src))] == 3
    assert ("stage_seconds", "dedup_exact") in kinds
    md = artifacts["sieve-rep-test-summary"].data
    assert "| stage | seconds |" in md and res["run_id"] in md


def test_artifact_keys_are_prefect_keys_and_one_per_dataset():
    from tasks.steps import artifact_key

    # names that lowering, dashing or cutting to 40 characters made one key (one artifact history for two datasets)
    groups = [("web", "Web", "WEB"), ("web-1", "web_1", "web.1", "Web-1"), ("a" * 40 + "x", "a" * 40 + "y")]
    keys = [artifact_key(name) for group in groups for name in group]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9-]+", k) and len(k) <= 6 + 40 + 9 for k in keys)
    # a name that is already a key keeps it as it was: its artifact history goes on
    assert artifact_key("web") == "sieve-web" and artifact_key("rep-test") == "sieve-rep-test"
    assert artifact_key("Web").startswith("sieve-web-") and artifact_key("web_1").startswith("sieve-web-1-")
    assert artifact_key("Web") == artifact_key("Web")  # stable across runs and processes (a hash, not a counter)
    # the table of dataset "web-summary" had the key of dataset "web"'s markdown summary
    names = ["web", "web-summary", "web-summary-summary", "Web", "x" * 40 + "-summary"]
    tables, summaries = {artifact_key(n) for n in names}, {artifact_key(n, summary=True) for n in names}
    assert len(tables) == len(summaries) == len(names) and not tables & summaries
    assert artifact_key("web", summary=True) == "sieve-web-summary"


@pytest.mark.slow
def test_datasets_differing_in_case_publish_separate_artifact_histories(prefect_harness):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from tasks.steps import artifact_key, summary_artifact_task

    for dataset, clean in (("Case", 1), ("case", 2)):
        summary_artifact_task(f"r-{dataset}", dataset, {"clean": clean}, {}, [], "/lake")

    async def read(key):
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    for dataset, clean in (("Case", 1), ("case", 2)):
        found = asyncio.run(read(artifact_key(dataset)))
        assert [json.loads(a.data) if isinstance(a.data, str) else a.data for a in found] == [
            [{"kind": "outcome", "name": "clean", "value": clean}]]
