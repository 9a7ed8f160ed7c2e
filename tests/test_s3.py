"""Inputs on object storage: an S3 prefix (moto's S3 server on loopback) as the watched location of incremental runs.

Skipped when the optional test packages are missing: ``pip install "moto[s3]>=5.1" flask flask-cors s3fs``.
"""

from __future__ import annotations

import json
import socket

import pytest

from tests.conftest import plumbing_config, sql

moto_server = pytest.importorskip("moto.server", reason="needs moto[s3], flask, flask-cors (S3 emulator)")
pytest.importorskip("s3fs", reason="needs s3fs (fsspec's S3 filesystem)")

pytestmark = pytest.mark.slow


@pytest.fixture
def s3_endpoint(monkeypatch):
    import fsspec

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "FSSPEC_S3_ENDPOINT_URL": url}.items():
        monkeypatch.setenv(key, value)  # worker processes read fsspec's config from the environment
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": url})  # this process imported fsspec already
    try:
        yield url
    finally:
        server.stop()


def test_s3_prefix_is_read_by_the_workers_and_unchanged_on_the_next_night(tmp_path, s3_endpoint, prefect_harness):
    import fsspec

    from flows.runner import run_flow

    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    fs.mkdir("sieve-in")
    fs.pipe("sieve-in/inbox/a.jsonl", b"".join(json.dumps({"text": f"tide table {i} for the bay"}).encode() + b"\n"
                                                for i in range(4)))
    fs.pipe("sieve-in/inbox/sub/b.jsonl", json.dumps({"text": "a buoy light blinks"}).encode() + b"\n")
    lake, cfg = tmp_path / "lake", plumbing_config(tmp_path / "s.yaml")

    def night():
        return run_flow(inputs=["s3://sieve-in/inbox/"], lake=str(lake), dataset="bay", config=str(cfg),
                        kind=None, text_field=None, manifest=None, task_runner="processes", dask_address=None,
                        workers=2, show_progress=False, incremental=True)

    first = night()
    assert first["counts"]["clean"] == 5
    assert sql(lake, "SELECT source_uri, records FROM sources WHERE run_id = ? ORDER BY 1", [first["run_id"]]) == [
        ("s3://sieve-in/inbox/a.jsonl", 4), ("s3://sieve-in/inbox/sub/b.jsonl", 1)]
    second = night()
    assert second["records"] == 0 and second["incremental"]["unchanged"] == 2
    # lineage names the S3 objects by OpenLineage's naming rules: namespace s3://<bucket>, name = key
    complete = [json.loads(p.read_text()) for p in sorted((lake / "lineage").glob(f"{first['run_id']}-*.json"))][-1]
    assert [(i["namespace"], i["name"]) for i in complete["inputs"]] == [
        ("s3://sieve-in", "inbox/a.jsonl"), ("s3://sieve-in", "inbox/sub/b.jsonl")]
