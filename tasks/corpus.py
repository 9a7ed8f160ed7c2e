"""The corpus step: run every corpus-level stage over the staged shards, then split their output per shard.

Corpus stages write whole-run Parquet (duplicates, findings). The router works shard by shard, so this step
partitions those outputs by shard with DuckDB (bounded memory, spilling) and each route task reads only its part.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from schemas import arrow
from schemas.config import SieveConfig
from tasks.catalog import empty_select, sql_list
from tasks.dedup.resolve import resolve_duplicates
from tasks.duck import limit_connection, sql_literal
from tasks.registry import build_corpus_stages
from tasks.stage import CorpusContext


def run_corpus_stages(
    cfg: SieveConfig,
    run_id: str,
    dataset: str,
    lake: Path,
    shard_dirs: list[str],
    prior_runs: list[str],
    work_dir: Path,
) -> dict[str, Any]:
    """Run the corpus stages and partition their output into ``work_dir/corpus/{dups,findings}/shard=<i>``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    if not shard_dirs:  # nothing to read (an empty input folder, an incremental run with nothing new)
        return {"counters": {}, "stage_seconds": {}, "corpus_dir": str(work_dir / "corpus")}
    docs = [str(Path(d) / "docs.parquet") for d in shard_dirs]
    feats = [str(Path(d) / "features.parquet") for d in shard_dirs if (Path(d) / "features.parquet").exists()]
    ctx = CorpusContext(
        run_id=run_id,
        dataset=dataset,
        lake=lake,
        docs_paths=docs,
        features_paths=feats,
        prior_runs=prior_runs,
        work_dir=work_dir,
        memory_limit=cfg.resources.memory_limit,
        threads=cfg.resources.threads,
    )
    dup_files, finding_files, counters, timings = [], [], {}, {}
    for stage in build_corpus_stages(cfg.stages):
        started = time.perf_counter()
        res = stage.run(ctx)
        timings[stage.name] = time.perf_counter() - started
        if res.duplicates_path:
            dup_files.append(res.duplicates_path)
        if res.findings_path:
            finding_files.append(res.findings_path)
        for k, v in res.counters.items():
            counters[k] = counters.get(k, 0) + v
    out = work_dir / "corpus"
    shutil.rmtree(out, ignore_errors=True)  # a resumed run recomputes this step whole
    out.mkdir(parents=True)
    con = duckdb.connect()
    limit_connection(con, cfg.resources.memory_limit, cfg.resources.threads, work_dir / "spill")
    con.execute(f"CREATE VIEW docs AS SELECT doc_id, ord >> 32 AS shard FROM read_parquet({sql_list(docs)})")
    dup_src = (
        f"SELECT * FROM read_parquet({sql_list(dup_files)}, union_by_name=true)"
        if dup_files
        else empty_select(arrow.DUPLICATE_PAIRS)
    )
    find_src = (
        f"SELECT * FROM read_parquet({sql_list(finding_files)}, union_by_name=true)"
        if finding_files
        else empty_select(arrow.CORPUS_FINDINGS)
    )
    # one row per duplicate, pointing at a copy that is kept (never at another duplicate of this run)
    dups = resolve_duplicates(con, dup_src, run_id)
    con.execute(f"""COPY (
        SELECT d.shard, p.* EXCLUDE (kept_run) FROM {dups} p JOIN docs d USING (doc_id)
        ) TO {sql_literal(out / "dups")} (FORMAT parquet, PARTITION_BY (shard), OVERWRITE_OR_IGNORE true)""")
    con.execute(f"""COPY (SELECT d.shard, f.* FROM ({find_src}) f JOIN docs d USING (doc_id))
        TO {sql_literal(out / "findings")} (FORMAT parquet, PARTITION_BY (shard), OVERWRITE_OR_IGNORE true)""")
    con.close()
    return {"counters": counters, "stage_seconds": timings, "corpus_dir": str(out)}
