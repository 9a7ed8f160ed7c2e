"""Exact dedup: one kept copy per normalised-content hash, within the run and against earlier runs.

Which copy is kept (``tasks.dedup.levels``): among this run's copies of a content, the first (input order) of those
headed for the best outcome: a copy headed for clean before one its findings quarantine, before one they drop.
A copy points at an earlier run's copy of the same content when that copy's level is no higher than its own (a
copy in clean now, for a copy headed for clean), the lowest level and then the earliest run first; otherwise at
this run's kept copy. So a copy headed for clean is never a duplicate of a record that is not in clean, whichever
order the copies come in and whichever run holds them. (No chain: a kept copy that points at an earlier run's
copy has a level no higher than its copies', so they point at that earlier copy too.)

Records without content are not deduplicated: an empty or whitespace-only text (``input.empty``) is no copy of
another one, it keeps its own outcome (``dropped`` by default), as a record nothing could be read of does (its key
is its own, ``nil:<doc_id>``, in ``tasks.shard``).

The persisted key index is ``index/<dataset>/exact/run=<id>/*.parquet`` (content_hash, doc_id of every record of
the run that is not a duplicate, quarantined ones included: a release may publish them later), written by the
router for every completed run; the level of each entry is read from the run's ``documents`` at the next run.
DuckDB does the grouping with a memory limit and spills beyond it, so memory is bounded by the setting, not by
the corpus.
"""

from __future__ import annotations

from schemas import reasons
from tasks import duck
from tasks.catalog import sql_list
from tasks.dedup import levels
from tasks.duck import limit_connection, sql_literal
from tasks.normalize import content_hash
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig

#: The key of every empty or whitespace-only text.
EMPTY_KEY = content_hash("")


class ExactDedup(CorpusStage):
    """Marks every record whose content hash has a kept copy (earlier run first, then this run's best copy)."""

    name = "dedup_exact"
    version = "2"
    reads_levels = True
    Config = StageConfig

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Write ``duplicates.parquet`` (doc_id, duplicate_of, method, similarity, evidence)."""
        out = ctx.work_dir / "dedup_exact.parquet"
        con = duck.connect()
        limit_connection(con, ctx.memory_limit, ctx.threads, ctx.work_dir / "spill")
        prior_files = [
            str(p)
            for r in ctx.prior_runs
            for p in sorted((ctx.lake / "index" / ctx.dataset / "exact" / f"run={r}").glob("*.parquet"))
        ]
        if prior_files:
            # one row per (content, level): the earliest run's copy at that level, and where its clean row is (a
            # run made with dedup_exact off indexed every copy: the smallest doc_id then, so any rerun agrees)
            prior = f"""
                SELECT i.content_hash, coalesce(l.level, 0) AS level, arg_min(i.doc_id, (i.run, i.doc_id)) AS kept_doc,
                       min(i.run) AS doc_run, arg_min(coalesce(l.kept_run, i.run), (i.run, i.doc_id)) AS kept_run
                FROM read_parquet({sql_list(prior_files)}, hive_partitioning=true) i
                LEFT JOIN ({levels.prior_sql(ctx.lake, ctx.dataset, ctx.prior_runs)}) l
                  ON l.run_id = i.run AND l.doc_id = i.doc_id
                WHERE i.content_hash <> {sql_literal(EMPTY_KEY)} AND coalesce(l.level, 0) < {levels.GONE}
                GROUP BY ALL"""
        else:
            prior = ("SELECT NULL::VARCHAR AS content_hash, NULL::TINYINT AS level, NULL::VARCHAR AS kept_doc, "
                     "NULL::VARCHAR AS doc_run, NULL::VARCHAR AS kept_run LIMIT 0")
        name = levels.level_name
        kept_by = f"""CASE WHEN p.kept_doc IS NOT NULL THEN 'seen in an earlier run' ||
                        CASE WHEN p.kept_run <> p.doc_run THEN ', published since by sieve release ' || p.kept_run
                             WHEN p.level > 0 THEN ' (' || {name('p.level')} || ' there; this copy would be '
                                                  || {name('c.level')} || ' too)'
                             ELSE '' END
                      WHEN f.keep_ord = f.first_ord THEN 'first seen in this run'
                      ELSE 'the first copy in this run whose own findings make it ' || {name('f.keep_level')} ||
                           ' (the first seen copy would be ' || {name('f.first_level')} || ')' END"""
        sql = f"""
        COPY (
          WITH lv AS ({levels.current_sql(ctx.levels_path)}),
               cur AS (SELECT d.doc_id, d.ord, d.content_hash, coalesce(lv.level, 0) AS level, lv.blocked_by
                       FROM read_parquet({sql_list(ctx.docs_paths)}) d LEFT JOIN lv USING (doc_id)
                       WHERE d.content_hash <> {sql_literal(EMPTY_KEY)}),
               first AS (SELECT content_hash, arg_min(doc_id, (level, ord)) AS keep, min(level) AS keep_level,
                                arg_min(ord, (level, ord)) AS keep_ord, min(ord) AS first_ord,
                                arg_min(level, ord) AS first_level
                         FROM cur GROUP BY content_hash),
               pri AS ({prior}),
               -- the earlier copy a record points at, if any: of a level no higher than its own, lowest level
               -- first, then the earliest run (earlier runs win, as in dedup_near's order)
               prior_pick AS (
                 SELECT c.doc_id, p.level, p.kept_doc, p.doc_run, p.kept_run
                 FROM cur c JOIN pri p ON p.content_hash = c.content_hash AND p.level <= c.level
                 QUALIFY row_number() OVER (PARTITION BY c.doc_id ORDER BY p.level, p.doc_run) = 1)
          SELECT c.doc_id,
                 coalesce(p.kept_doc, f.keep) AS duplicate_of,
                 'exact' AS method,
                 1.0::DOUBLE AS similarity,
                 json_object('reason', '{reasons.DUP_EXACT}', 'content_hash', c.content_hash,
                             'kept_doc_id', coalesce(p.kept_doc, f.keep),
                             'kept_run_id', coalesce(p.kept_run, {sql_literal(ctx.run_id)}),
                             'kept_by', {kept_by},
                             'kept_outcome', {name('coalesce(p.level, f.keep_level)')},
                             'copy_outcome', {name('c.level')},
                             'copy_blocked_by', c.blocked_by)::VARCHAR AS evidence
          FROM cur c JOIN first f USING (content_hash) LEFT JOIN prior_pick p USING (doc_id)
          WHERE p.kept_doc IS NOT NULL OR c.doc_id <> f.keep
          ORDER BY c.doc_id
        ) TO {sql_literal(out)} (FORMAT parquet, COMPRESSION zstd)
        """
        con.execute(sql)
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0]
        con.close()
        return CorpusResult(duplicates_path=str(out), counters={reasons.DUP_EXACT: int(n)})
