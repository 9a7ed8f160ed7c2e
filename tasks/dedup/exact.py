"""Exact dedup: one kept copy per normalised-content hash, within the run and against earlier runs.

The persisted key index is ``index/<dataset>/exact/run=<id>/*.parquet`` (content_hash, doc_id of the kept copy),
written by the router for every completed run. DuckDB does the grouping with a memory limit and spills beyond it,
so memory is bounded by the setting, not by the corpus.
"""

from __future__ import annotations

import duckdb

from schemas import reasons
from tasks.catalog import sql_list
from tasks.duck import limit_connection, sql_literal
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig


class ExactDedup(CorpusStage):
    """Marks every record whose content hash was seen before (earlier run first, then first-seen order)."""

    name = "dedup_exact"
    version = "1"
    Config = StageConfig

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Write ``duplicates.parquet`` (doc_id, duplicate_of, method, similarity, evidence)."""
        out = ctx.work_dir / "dedup_exact.parquet"
        con = duckdb.connect()
        limit_connection(con, ctx.memory_limit, ctx.threads, ctx.work_dir / "spill")
        prior_files = [
            str(p)
            for r in ctx.prior_runs
            for p in sorted((ctx.lake / "index" / ctx.dataset / "exact" / f"run={r}").glob("*.parquet"))
        ]
        if prior_files:
            prior = (
                "SELECT content_hash, arg_min(doc_id, run) AS kept_doc, min(run) AS kept_run "
                f"FROM read_parquet({sql_list(prior_files)}, hive_partitioning=true) GROUP BY content_hash"
            )
        else:
            prior = "SELECT NULL::VARCHAR AS content_hash, NULL::VARCHAR AS kept_doc, NULL::VARCHAR AS kept_run LIMIT 0"
        sql = f"""
        COPY (
          WITH cur AS (SELECT doc_id, ord, content_hash FROM read_parquet({sql_list(ctx.docs_paths)})),
               first AS (SELECT content_hash, arg_min(doc_id, ord) AS keep FROM cur GROUP BY content_hash),
               prior AS ({prior})
          SELECT c.doc_id,
                 coalesce(p.kept_doc, f.keep) AS duplicate_of,
                 'exact' AS method,
                 1.0::DOUBLE AS similarity,
                 json_object('reason', '{reasons.DUP_EXACT}', 'content_hash', c.content_hash,
                             'kept_run_id', coalesce(p.kept_run, {sql_literal(ctx.run_id)}),
                             'kept_by', CASE WHEN p.kept_doc IS NULL THEN 'first seen in this run'
                                             ELSE 'seen in an earlier run' END)::VARCHAR AS evidence
          FROM cur c JOIN first f USING (content_hash) LEFT JOIN prior p USING (content_hash)
          WHERE p.kept_doc IS NOT NULL OR c.doc_id <> f.keep
          ORDER BY c.doc_id
        ) TO {sql_literal(out)} (FORMAT parquet, COMPRESSION zstd)
        """
        con.execute(sql)
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0]
        con.close()
        return CorpusResult(duplicates_path=str(out), counters={reasons.DUP_EXACT: int(n)})
