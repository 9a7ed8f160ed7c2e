"""OpenLineage events: START/COMPLETE of a real run, FAIL, HTTP; each event rebuilt with the client's models."""

from __future__ import annotations

import json
import logging
import threading
import typing
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import attr
import pytest
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    input_statistics_input_dataset,
    job_type_job,
    output_statistics_output_dataset,
    parent_run,
    processing_engine_run,
    schema_dataset,
    tags_run,
)
from openlineage.client.serde import Serde

from schemas.config import LineageConfig
from tasks.lake import Lake
from tasks.lineage import RunLineage, lineage_run_id
from tests.conftest import plumbing_config, sql

RUN_FACETS = {"parent": parent_run.ParentRunFacet, "processing_engine": processing_engine_run.ProcessingEngineRunFacet,
              "tags": tags_run.TagsRunFacet, "errorMessage": error_message_run.ErrorMessageRunFacet}
JOB_FACETS = {"jobType": job_type_job.JobTypeJobFacet}
DATASET_FACETS = {"schema": schema_dataset.SchemaDatasetFacet,
                  "version": dataset_version_dataset.DatasetVersionDatasetFacet}
INPUT_FACETS = {"inputStatistics": input_statistics_input_dataset.InputStatisticsInputDatasetFacet}
OUTPUT_FACETS = {"outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet}


def _build(cls, data):
    """Construct an attrs model from JSON, recursing into nested models (validators run on construction)."""
    attr.resolve_types(cls)
    kwargs = {}
    for a in attr.fields(cls):
        if not a.init or a.name not in data:
            continue
        kwargs[a.alias] = _value(a.type, data[a.name])
    return cls(**kwargs)


def _value(tp, value):
    args = [t for t in typing.get_args(tp) if t is not type(None)]
    if value is None:
        return None
    if attr.has(tp):
        return _build(tp, value)
    if typing.get_origin(tp) is list and args and attr.has(args[0]):
        return [_build(args[0], v) for v in value]
    if len(args) == 1 and typing.get_origin(tp) is not list:  # X | None
        return _value(args[0], value)
    return value


def _facets(table, data):
    unknown = set(data or {}) - set(table)
    assert not unknown, f"facets the test does not know: {unknown}"
    return {k: _build(table[k], v) for k, v in (data or {}).items()}


def validate(raw: dict) -> RunEvent:
    """Rebuild ``raw`` with the client's models and check it serialises back to exactly the same JSON."""
    event = RunEvent(
        eventType=RunState(raw["eventType"]),
        eventTime=raw["eventTime"],
        producer=raw["producer"],
        run=Run(runId=raw["run"]["runId"], facets=_facets(RUN_FACETS, raw["run"].get("facets"))),
        job=Job(namespace=raw["job"]["namespace"], name=raw["job"]["name"],
                facets=_facets(JOB_FACETS, raw["job"].get("facets"))),
        inputs=[InputDataset(d["namespace"], d["name"], facets=_facets(DATASET_FACETS, d.get("facets")),
                             inputFacets=_facets(INPUT_FACETS, d.get("inputFacets"))) for d in raw.get("inputs", [])],
        outputs=[OutputDataset(d["namespace"], d["name"], facets=_facets(DATASET_FACETS, d.get("facets")),
                               outputFacets=_facets(OUTPUT_FACETS, d.get("outputFacets")))
                 for d in raw.get("outputs", [])],
    )
    assert Serde.to_dict(event) == raw
    assert raw["schemaURL"].startswith("https://openlineage.io/spec/")
    return event


def _events(lake: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((lake / "lineage").glob("*.json"))]


def _write(path: Path, n: int, prefix: str) -> Path:
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": f"{prefix} note {i} about a quiet harbor"})
                            + "\n" for i in range(n)) + json.dumps({"id": "dup", "text": f"{prefix} note 0 about a "
                                                                     "quiet harbor"}) + "\n")
    return path


@pytest.mark.slow
def test_run_emits_start_and_complete_with_parent_inputs_outputs(tmp_path, run_sieve):
    src = _write(tmp_path / "a.jsonl", 6, "a")
    lake = tmp_path / "lake"
    res = run_sieve([src], lake, "web", config=plumbing_config(tmp_path / "s.yaml"))
    events = _events(lake)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    start, complete = (validate(e) for e in events)
    flow_run_id = sql(lake, "SELECT flow_run_id FROM runs WHERE run_id = ?", [res["run_id"]])[0][0]
    for ev in (start, complete):
        assert ev.run.runId == lineage_run_id(res["run_id"])
        assert ev.job.namespace == "sieve" and ev.job.name == "curate-corpus.web"
        assert ev.run.facets["parent"].run.runId == flow_run_id and ev.run.facets["parent"].job.name == "curate-corpus"
        tags = {t.key: t.value for t in ev.run.facets["tags"].tags}
        assert tags["sieve.run_id"] == res["run_id"] and tags["sieve.dataset"] == "web"
        assert [(i.namespace, i.name) for i in ev.inputs] == [("file", str(src))]
    (inp,) = complete.inputs
    assert inp.inputFacets["inputStatistics"].rowCount == 7
    assert inp.facets["version"].datasetVersion == sql(lake, "SELECT sha256 FROM sources")[0][0]
    outputs = {o.name: o for o in complete.outputs}
    clean = outputs[str(lake / "clean" / "web")]
    assert clean.outputFacets["outputStatistics"].rowCount == res["counts"]["clean"] == 6
    assert clean.facets["version"].datasetVersion == res["run_id"]
    assert [f.name for f in clean.facets["schema"].fields][:3] == ["doc_id", "text", "source_id"]
    docs = outputs[str(lake / "provenance" / "documents")]
    assert docs.outputFacets["outputStatistics"].rowCount == 7
    assert outputs[str(lake / "provenance" / "duplicates")].outputFacets["outputStatistics"].rowCount == 1
    assert not any(o.outputFacets for o in start.outputs)  # START names the outputs; counts come with COMPLETE


def _row(run_id="20261127T000000Z-abcdef"):
    return {"run_id": run_id, "dataset": "d", "flow_run_id": str(uuid.uuid4()), "config_hash": "h",
            "code_version": "sieve 0.1.0", "kind": "text"}


def test_fail_event_carries_the_error(tmp_path):
    lake = Lake.at(tmp_path / "lake")
    lin = RunLineage(lake, LineageConfig(), _row())
    try:
        raise RuntimeError("disk full while writing shard 3")
    except RuntimeError as err:
        lin.fail([{"uri": str(tmp_path / "x.jsonl"), "sha256": "ab" * 32, "size_bytes": 10, "format": "jsonl"}], err)
    (raw,) = _events(tmp_path / "lake")
    ev = validate(raw)
    assert ev.eventType == RunState.FAIL
    assert ev.run.facets["errorMessage"].message == "RuntimeError: disk full while writing shard 3"
    assert "raise RuntimeError" in ev.run.facets["errorMessage"].stackTrace
    # the client's version as its installed distribution records it
    assert ev.run.facets["processing_engine"].openlineageAdapterVersion == version("openlineage-python")


class _Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_backend_gets_the_same_events_and_a_dead_one_never_fails(tmp_path, monkeypatch, caplog):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("SIEVE_TEST_OL_KEY", "k-123")
        cfg = LineageConfig(url=f"http://127.0.0.1:{server.server_port}", api_key_env="SIEVE_TEST_OL_KEY")
        lin = RunLineage(Lake.at(tmp_path / "lake"), cfg, _row())
        lin.start([])
        lin.complete([])
    finally:
        server.shutdown()
        server.server_close()
    assert [(p, a) for p, a, _ in _Collector.received] == [("/api/v1/lineage", "Bearer k-123")] * 2
    files = _events(tmp_path / "lake")
    assert [body for _, _, body in _Collector.received] == files
    assert [validate(e).eventType for e in files] == [RunState.START, RunState.COMPLETE]
    # a backend that is down: logged, the run goes on, the file copy is still written
    dead = LineageConfig(url=f"http://127.0.0.1:{server.server_port}", timeout=0.5)
    lin = RunLineage(Lake.at(tmp_path / "lake2"), dead, _row())
    with caplog.at_level(logging.WARNING):
        lin.start([])
    assert len(_events(tmp_path / "lake2")) == 1
    # one line says what failed; urllib3's retry warnings (six per event, several lines each) are kept off stderr
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in said] == ["tasks.lineage"] and "not sent through http" in said[0].getMessage()


@pytest.mark.parametrize("raw, message", [
    ({"url": "marquez:5000"}, "http:// or https://"),
    ({"transport": "kafka"}, "unknown key"),
    ({"timeout": 0}, r"lineage.timeout: invalid value 0; valid values: more than 0 and at most 120$"),
])
def test_lineage_config_is_validated(raw, message):
    from schemas.config import ConfigError, build_config

    with pytest.raises(ConfigError, match=message):
        build_config({"lineage": raw})


def test_lineage_settings_do_not_change_the_config_hash():
    from schemas.config import build_config

    assert build_config({}).config_hash() == build_config({"lineage": {"url": "http://m:5000"}}).config_hash()
    assert build_config({}).config_hash() != build_config({"input": {"max_bytes": 5}}).config_hash()
