"""Shared fixtures: one Prefect test harness per session, a runner for the real flow, and SQL on a lake."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SIEVE = [sys.executable, "-m", "flows.cli"]

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Derived model tables (tasks/detectors/table_cache.py) go to a folder of this session, not the user's cache.
if "SIEVE_CACHE_DIR" not in os.environ:
    os.environ["SIEVE_CACHE_DIR"] = tempfile.mkdtemp(prefix="sieve-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SIEVE_CACHE_DIR"], True)


def _pii_analyzer(profile: str):
    from tasks.detectors.pii import PiiConfig
    from tasks.detectors.pii_engine import PiiAnalyzer

    analyzer = PiiAnalyzer(profile=profile, entities=tuple(PiiConfig().entities))
    analyzer.load()
    return analyzer


@pytest.fixture(scope="module")
def patterns():
    """The PII analyzer's pattern profile with the stage's default entities, one per test module."""
    return _pii_analyzer("patterns")


@pytest.fixture(scope="module")
def ner():
    """The PII analyzer's NER profile (spaCy) with the stage's default entities, one per test module."""
    return _pii_analyzer("ner")


@pytest.fixture(scope="session")
def name_recognizer():
    """The PII stage's census/international name-list recognizer, loaded once (the lists take about a second)."""
    from tasks.detectors.pii_names import NameListRecognizer

    rec = NameListRecognizer()
    rec.load()
    return rec


@pytest.fixture(scope="session")
def bundled_toxicity():
    """The toxicity stage with its defaults (the bundled model), set up once per session.

    Its setup builds the model's scoring table (0.3-0.6 s each time, measured); scoring leaves the stage as it was
    but for a cache of words it had not seen, which changes no score, as a worker's stage scores shard after shard.
    """
    from tasks.detectors.toxicity import ToxicityConfig
    from tasks.registry import stage_class

    stage = stage_class("toxicity")(ToxicityConfig())
    stage.prepare()
    return stage


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's test harness (a temporary API + database), entered once per session: it takes seconds."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def run_sieve(prefect_harness):
    """Run the real curate-corpus flow in-process; returns its summary dict."""
    from flows.runner import run_flow

    def _run(inputs, lake, dataset="t", config=None, kind=None, text_field=None, manifest=None,
             task_runner="processes", workers=2):
        return run_flow(inputs=[str(p) for p in inputs], lake=str(lake), dataset=dataset,
                        config=str(config) if config else None, kind=kind, text_field=text_field,
                        manifest=str(manifest) if manifest else None, task_runner=task_runner,
                        dask_address=None, workers=workers, show_progress=False)

    return _run


def sql(lake, statement, params=None):
    """Rows of a read-only query against the lake's catalog."""
    from tasks.catalog import query
    from tasks.lake import Lake

    return query(Lake(Path(lake).resolve()), statement, params)[1]


def plumbing_config(path: Path, **overrides) -> Path:
    """A sieve.yaml with every document stage off: tests of the plumbing, not of the detectors."""
    from tasks.registry import DOCUMENT_STAGES

    raw = {"stages": {name: {"enabled": False} for name in DOCUMENT_STAGES}}
    raw.update(overrides)
    path.write_text(yaml.safe_dump(raw))
    return path


def cli_env(env=None):
    """Environment for a CLI subprocess: the session's Prefect server when one is up (start-up costs seconds)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PREFECT_LOGGING_LEVEL", None)  # the CLI's own quiet default is part of what is tested
    if "PREFECT_API_URL" not in (env or {}):
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
        if url:
            full_env["PREFECT_API_URL"] = url
        else:
            full_env.pop("PREFECT_API_URL", None)
    return full_env


def cli(*args, cwd=None, timeout=600, env=None):
    """Run the ``sieve`` CLI in a subprocess (a real process; the session's Prefect API if the harness is up)."""
    full_env = cli_env(env)
    return subprocess.run([*SIEVE, *map(str, args)], cwd=cwd or ROOT, capture_output=True, text=True,
                          timeout=timeout, env=full_env)
