"""Inputs that cannot be listed or read as files are recorded as unreadable sources, never skipped in silence."""

import os

import pytest

from tasks.plan import plan_sources
from tasks.readers import read_slice
from tasks.sources import SourceSlice, discover
from tests.conftest import plumbing_config, sql


def _write(path, data=b'{"text": "a plain note"}\n'):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def locked_dir(tmp_path, monkeypatch):
    """A corpus whose folder ``locked`` cannot be listed. Root reads anything, so listing it is made to fail."""
    root = tmp_path / "corpus"
    for rel in ("a.jsonl", "locked/b.jsonl", "z.jsonl"):
        _write(root / rel)
    locked = str(root / "locked")
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return root


def test_unlistable_folder_is_an_unreadable_source(locked_dir):
    found = discover([str(locked_dir)])
    assert [(os.path.relpath(s.uri, locked_dir), s.error) for s in found] == [
        ("a.jsonl", None),
        ("locked", "cannot list directory: Permission denied"),
        ("z.jsonl", None),
    ]
    entries, slices = plan_sources([str(locked_dir)], 1 << 20, None)
    assert [(e.integrity, e.error) for e in entries] == [
        ("unverified", None),
        ("unreadable", "cannot list directory: Permission denied"),
        ("unverified", None),
    ]
    bad = slices[1]
    assert bad["error"] == "cannot list directory: Permission denied" and "error" not in slices[0]
    sl = SourceSlice(bad["uri"], bad["format"], bad["compression"], error=bad["error"])
    [rec] = read_slice(sl)
    assert (rec.index, rec.fields, rec.raw) == (0, None, b"")
    assert rec.error == "not read: cannot list directory: Permission denied"


@pytest.mark.slow
def test_unlistable_folder_in_a_run(locked_dir, tmp_path, run_sieve):
    lake = tmp_path / "lake"
    res = run_sieve([locked_dir], lake, config=plumbing_config(tmp_path / "c.yaml"), task_runner="threads",
                    workers=1)
    rows = sql(lake, "SELECT source_uri, integrity, error, records FROM sources WHERE run_id = ? ORDER BY 1",
               [res["run_id"]])
    assert [(os.path.basename(r[0]), r[1], r[2], r[3]) for r in rows] == [
        ("a.jsonl", "unverified", None, 1),
        ("locked", "unreadable", "cannot list directory: Permission denied", 1),
        ("z.jsonl", "unverified", None, 1),
    ]
    outcomes = sql(lake, "SELECT outcome, reasons FROM documents WHERE run_id = ? AND source_uri LIKE '%locked'",
                   [res["run_id"]])
    assert outcomes == [("quarantined", ["input.malformed"])]
