"""The corpus step: run every corpus-level stage over the staged shards, then split their output per shard.

Corpus stages write whole-run Parquet (duplicates, findings). The router works shard by shard, so this step
partitions those outputs by shard with DuckDB (bounded memory, spilling) and each route task reads only its part.

Dedup keeps a copy that reaches clean (``tasks.dedup.levels``): the stages see the levels the document stages'
findings give. When a later corpus stage's finding sends a kept copy to a worse outcome than one of its duplicates
(trigger mining or a flood quarantining the copy kept), the dedup stages run again with every finding's levels.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from schemas import arrow
from schemas.config import SieveConfig
from tasks import duck
from tasks.catalog import empty_select, sql_list
from tasks.dedup import levels
from tasks.dedup.resolve import resolve_duplicates
from tasks.duck import limit_connection, sql_literal
from tasks.registry import build_corpus_stages
from tasks.stage import CorpusContext, CorpusResult


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
    con = duck.connect()
    limit_connection(con, cfg.resources.memory_limit, cfg.resources.threads, work_dir / "spill")
    staged_findings = [str(Path(d) / "findings.parquet") for d in shard_dirs]
    stages = build_corpus_stages(cfg.stages)
    if any(getattr(s, "reads_levels", False) for s in stages):  # only dedup reads them: else no pass over findings
        ctx.levels_path = levels.write_levels(con, staged_findings, cfg.policy, work_dir / "levels_staged.parquet")
    results, timings = {}, {}
    for stage in stages:
        started = time.perf_counter()
        results[stage.name] = stage.run(ctx)
        timings[stage.name] = time.perf_counter() - started
    finding_files = [r.findings_path for r in results.values() if r.findings_path]
    dedup = [s for s in stages if results[s.name].duplicates_path]
    if finding_files and dedup:
        full = levels.write_levels(con, staged_findings + finding_files, cfg.policy, work_dir / "levels.parquet")
        n = levels.overruled(con, [results[s.name].duplicates_path for s in dedup], full, run_id)
        if n:  # a corpus finding sent a kept copy to a worse outcome than its duplicate: choose again
            ctx.levels_path = full
            for stage in dedup:
                started = time.perf_counter()
                results[stage.name] = stage.run(ctx)
                timings[stage.name] += time.perf_counter() - started
            results["dedup"] = CorpusResult(counters={"dedup.kept_copies_overruled": n})
    dup_files = [r.duplicates_path for r in results.values() if r.duplicates_path]
    counters: dict[str, int] = {}
    for res in results.values():
        for k, v in res.counters.items():
            counters[k] = counters.get(k, 0) + v
    out = work_dir / "corpus"
    shutil.rmtree(out, ignore_errors=True)  # a resumed run recomputes this step whole
    out.mkdir(parents=True)
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
