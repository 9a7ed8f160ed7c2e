"""A lake with provenance Parquet but no catalog (a first run killed before it registered, or a deleted catalog
file): ``sieve query`` builds the catalog from the Parquet instead of saying "run sieve run first"."""

from __future__ import annotations

import pytest

from tasks import provenance
from tasks.catalog import query
from tasks.lake import Lake, LakeError
from tests.conftest import cli


def test_query_builds_a_missing_catalog_from_the_lakes_parquet(tmp_path):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(LakeError, match="no catalog at .*run `sieve run"):
        query(lake, "SELECT 1")  # nothing in the lake: nothing to build from
    # what a run writes when it starts; a SIGKILL before its end leaves this and no catalog
    provenance.write_run_row(lake, {"run_id": "20260101T000000Z-abc123", "dataset": "web", "flow_run_id": "f",
                                    "started_at": provenance.now(), "status": "running", "kind": "text"})
    assert not lake.catalog.exists()

    names, rows = query(lake, "SELECT run_id, status, (SELECT count(*) FROM documents) FROM runs")

    assert rows == [("20260101T000000Z-abc123", "running", 0)] and lake.catalog.exists()
    lake.catalog.unlink()
    out = cli("query", "SELECT dataset FROM runs", "--lake", lake.root, "--format", "csv")
    assert out.returncode == 0 and out.stdout.splitlines() == ["dataset", "web"], out.stderr
    assert "rebuilt the catalog" in out.stderr
