"""Near-duplicate removal (``dedup_near``): banded MinHash LSH, verified pairs, keeper-centred clusters, incremental.

Steps, each bounded by a setting rather than by the corpus:

1. Nodes (DuckDB, ``resources.memory_limit``, spilling): this run's records with a signature (feature column
   ``minhash`` of the ``minhash`` stage), one per normalised content (exact copies follow the copy
   ``dedup_exact`` keeps: the first of those headed for the best outcome), plus the signatures persisted by
   earlier completed runs of the dataset (never recomputed), each with its level (``tasks.dedup.levels``: where
   the copy is headed, or for an earlier run whether it is in clean now), ranked in keep-priority order
   (``tasks.dedup.keep``: a copy headed for clean before one headed for quarantine) and written to
   ``nodes.parquet``.
2. Signature store and band keys, streamed ``batch_rows`` at a time: signatures go to an on-disk ``(nodes,
   num_perm)`` uint32 matrix (memory-mapped, 512 B per document at 128 permutations); each band's 64-bit keys go to
   Parquet partitions ``(band, key % parts)`` with ``parts`` chosen so a partition holds at most
   ``partition_rows`` rows.
3. Candidates, one partition at a time (``tasks.dedup.lsh``): group by key, compare the members' signatures, keep
   pairs whose estimated Jaccard (agreeing positions / ``num_perm``) reaches ``threshold - exact_margin`` (or
   ``threshold`` with ``verify: estimate``). Written per partition.
4. Verification (``tasks.dedup.verify``): the distinct candidate pairs, sorted by DuckDB, are decided on the exact
   Jaccard of the two documents' shingle sets when both are in this run (their texts are re-shingled once into an
   on-disk array, 4 bytes per shingle, for the candidates only), on the estimate when one is from an earlier run.
5. Clusters: the verified pairs are streamed once in ``(u, v)`` order; each duplicate goes to the first kept
   document it was verified against whose level is no higher than its own (``tasks.dedup.keep.assign_keepers``,
   2 bytes per node): a copy headed for clean is never removed in favour of one that does not reach clean.
6. Output: ``duplicates`` rows (method ``near``, similarity = the Jaccard with the kept copy, exact or estimated,
   evidence JSON with the kept copy, the rule that kept it, both Jaccard figures, the banding, and the outcomes
   the kept copy and this copy were headed for, ``kept_outcome`` and ``copy_outcome``), and this run's kept
   signatures (quarantined ones included: a release may publish them) persisted under
   ``index/<dataset>/minhash/run=<run_id>/`` for later runs.

On a Dask cluster the same design maps over step 3's partitions (each task reads one partition file and the
read-only signature store on shared storage, and writes one edge file); verification maps over ranges of the
sorted candidate pairs the same way; steps 1, 5 and 6 are single streaming passes whose memory is DuckDB's limit
plus a byte per document.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, model_validator

from schemas import arrow, reasons
from tasks import duck
from tasks.catalog import empty_select, sql_list
from tasks.dedup import keep, levels, lsh
from tasks.dedup.minhash import COLUMN, PARAMS_COLUMN, shingle_settings
from tasks.dedup.verify import ShingleStore, verify
from tasks.duck import limit_connection
from tasks.duck import sql_literal as lit  # every path spliced into SQL: a lake folder may hold a quote
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig

INDEX_KIND = "minhash"
_BAND_SCHEMA = pa.schema([("key", pa.uint64()), ("node", pa.int64())])
_EDGE_SCHEMA = pa.schema([("u", pa.int64()), ("v", pa.int64()), ("m", pa.int32())])
_VERIFIED_SCHEMA = pa.schema([*_EDGE_SCHEMA, ("j", pa.float64())])
_UNITS = {"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
          "tib": 2**40}


class NearDedupConfig(StageConfig):
    """``stages.dedup_near`` in sieve.yaml. Signature settings (num_perm, n-grams, seed) are ``stages.minhash``."""

    threshold: float = Field(0.8, gt=0.0, le=1.0, description="estimated Jaccard at or above which a record is "
                             "a near duplicate of its kept copy")
    fn_weight: float = Field(0.99, ge=0.5, lt=1.0, description="weight of false negatives in datasketch's band "
                             "optimiser (false positives cost only a verification)")
    verify: Literal["exact", "estimate"] = Field(
        "exact", description="exact: pairs of this run are decided on the Jaccard of their shingle sets (pairs "
        "with an earlier run on the MinHash estimate); estimate: every pair on the estimate")
    exact_margin: float = Field(0.15, ge=0.0, le=0.5, description="verify: exact re-checks candidates whose "
                                "estimate is at least threshold - exact_margin")
    bands: int | None = Field(None, ge=1, description="override the number of bands (set rows too)")
    rows: int | None = Field(None, ge=1, description="override the rows per band (set bands too)")
    keep: Literal["first_seen", "longest", "source_priority", "score"] = Field(
        "first_seen", description="which copy is kept; earlier runs always win")
    source_priority: list[str] = Field(default_factory=list, description="source_uri globs, most preferred first "
                                       "(keep: source_priority)")
    score_stage: str | None = Field(None, description="stage whose score decides (keep: score); highest kept")
    score_name: str | None = Field(None, description="score name within score_stage (default: its highest score)")
    partition_rows: int | None = Field(None, ge=1000, description="band rows per in-memory partition (default: "
                                       "resources.memory_limit / 256 bytes)")
    batch_rows: int = Field(65_536, ge=1024, le=4_000_000, description="signatures streamed at a time")
    all_pairs_max: int = Field(64, ge=2, le=10_000, description="buckets up to this size are compared pairwise")
    max_pivots: int = Field(64, ge=1, le=100_000, description="pivots compared in a larger bucket")
    persist: bool = Field(True, description="persist this run's kept signatures for later runs")

    @model_validator(mode="after")
    def _consistent(self) -> NearDedupConfig:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither")
        if self.keep == "score" and not self.score_stage:
            raise ValueError("keep: score needs score_stage")
        if self.keep == "source_priority" and not self.source_priority:
            raise ValueError("keep: source_priority needs a source_priority list of globs")
        return self


def memory_bytes(limit: str) -> int:
    """Bytes of a DuckDB-style memory limit (``2GB``, ``512MiB``)."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]*)\s*", limit)
    if not m or m.group(2).lower() not in {**_UNITS, "": 1}:
        raise ValueError(f"cannot read memory limit {limit!r}; use e.g. 2GB or 512MiB")
    return int(float(m.group(1)) * _UNITS.get(m.group(2).lower(), 1))


class NearDedup(CorpusStage):
    """Marks records whose Jaccard with a kept record (this run or an earlier one) reaches the threshold."""

    name = "dedup_near"
    version = "2"
    reads_levels = True
    Config = NearDedupConfig
    requires = (("datasketch", "datasketch"), ("duckdb", "duckdb"))

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Write ``dedup_near.parquet`` (``schemas.arrow.DUPLICATE_PAIRS``) and persist this run's signatures."""
        cfg: NearDedupConfig = self.config  # type: ignore[assignment]
        out = ctx.work_dir / "dedup_near.parquet"
        work = ctx.work_dir / "dedup_near"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        con = duck.connect()
        try:
            limit_connection(con, ctx.memory_limit, ctx.threads, work / "spill")
            counters = self._run(con, ctx, cfg, work, out)
        finally:
            con.close()
        shutil.rmtree(work, ignore_errors=True)
        return CorpusResult(duplicates_path=str(out), counters=counters)

    def _run(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext, cfg: NearDedupConfig, work: Path,
             out: Path) -> dict[str, int]:
        feats = [p for p in ctx.features_paths if COLUMN in pq.read_schema(p).names]
        params = con.execute(f"SELECT DISTINCT {PARAMS_COLUMN} FROM read_parquet(?, union_by_name=true) "
                             f"WHERE {COLUMN} IS NOT NULL", [feats]).fetchall() if feats else []
        if not params:  # the minhash stage is off, or no record has a shingle
            con.execute(f"COPY ({empty_select(arrow.DUPLICATE_PAIRS)}) TO {lit(out)} (FORMAT parquet)")
            return {reasons.DUP_NEAR: 0, "dedup_near.no_signatures": 1}
        if len(params) > 1:
            raise ValueError(f"dedup_near: this run's signatures were made with different settings: {params}")
        param = params[0][0]
        num_perm = con.execute(f"SELECT len({COLUMN}) FROM read_parquet(?, union_by_name=true) "
                               f"WHERE {COLUMN} IS NOT NULL LIMIT 1", [feats]).fetchall()[0][0]
        bands, rows = (cfg.bands, cfg.rows) if cfg.bands else lsh.choose_bands(cfg.threshold, num_perm,
                                                                                cfg.fn_weight)
        if bands * rows > num_perm:
            raise ValueError(f"dedup_near: bands x rows = {bands * rows} exceeds num_perm {num_perm}")
        n_nodes, n_prior, skipped = self._nodes(con, ctx, cfg, feats, param, work)
        parts = max(1, math.ceil(n_nodes / (cfg.partition_rows or memory_bytes(ctx.memory_limit) // 256)))
        store, node_levels = self._store_and_bands(work, n_nodes, num_perm, bands, rows, parts, cfg.batch_rows)
        need = lsh.min_matches(cfg.threshold, num_perm)
        loose = lsh.min_matches(max(0.01, cfg.threshold - cfg.exact_margin), num_perm) \
            if cfg.verify == "exact" else need
        stats = self._candidates(work, store, loose, n_prior, bands, parts, cfg, node_levels)
        del store
        stats["dedup_near.exact_checks"] = self._verify(con, ctx, cfg, work, n_prior, param, need)
        n_dups = self._clusters(con, work, n_nodes, n_prior, cfg.batch_rows, node_levels)
        rows_out = self._write(con, ctx, cfg, work, out, num_perm, bands, rows)
        if cfg.persist:
            self._persist(con, ctx, work)
        return {reasons.DUP_NEAR: rows_out, "dedup_near.clustered": n_dups, "dedup_near.nodes": n_nodes,
                "dedup_near.prior_nodes": n_prior, "dedup_near.prior_runs_skipped": skipped,
                "dedup_near.bands": bands, "dedup_near.rows": rows, "dedup_near.partitions": bands * parts,
                **stats}

    def _nodes(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext, cfg: NearDedupConfig,
               feats: list[str], param: str, work: Path) -> tuple[int, int, int]:
        """Write ``nodes.parquet`` in keep-priority order; return (nodes, earlier-run nodes, runs skipped)."""
        scores = [str(Path(p).parent / "scores.parquet") for p in ctx.docs_paths]
        scores = [p for p in scores if os.path.exists(p)]
        score_src = "SELECT NULL::VARCHAR AS doc_id, NULL::DOUBLE AS score LIMIT 0"
        if cfg.keep == "score" and scores:
            name_filter = f" AND name = {lit(cfg.score_name)}" if cfg.score_name else ""
            score_src = (f"SELECT doc_id, max(value) AS score FROM read_parquet({sql_list(scores)}) "
                         f"WHERE stage = {lit(cfg.score_stage or '')}{name_filter} GROUP BY doc_id")
        # every copy of a content is represented by its best copy: the first of those headed for the best outcome
        con.execute(f"""CREATE TEMP TABLE cur AS
            SELECT d.doc_id, d.ord, d.content_hash, d.chars, d.source_uri,
                   {keep.source_rank_sql(cfg.source_priority)} AS src_rank, s.score,
                   coalesce(lv.level, 0)::TINYINT AS level, lv.blocked_by,
                   row_number() OVER (PARTITION BY d.content_hash ORDER BY coalesce(lv.level, 0), d.ord) = 1 AS rep
            FROM read_parquet(?) d LEFT JOIN ({score_src}) s USING (doc_id)
                 LEFT JOIN ({levels.current_sql(ctx.levels_path)}) lv USING (doc_id)
            WHERE d.doc_id IN (SELECT doc_id FROM read_parquet(?, union_by_name=true) WHERE {COLUMN} IS NOT NULL)""",
                    [ctx.docs_paths, feats])
        prior_files, skipped = self._prior_files(ctx, param)
        # earlier runs first (they are compared with this run only), those in clean now before the others
        prior_sql = (f"SELECT 0 AS grp, coalesce(l.level, 0) AS k0, list_position(?, p.run_id)::DOUBLE AS k1, "
                     f"p.ord AS k2, p.doc_id, p.run_id, TRUE AS prior, p.ord, NULL::BIGINT AS chars, "
                     f"NULL::VARCHAR AS source_uri, NULL::BIGINT AS src_rank, NULL::DOUBLE AS score, "
                     f"NULL::VARCHAR AS content_hash, coalesce(l.level, 0)::TINYINT AS level, "
                     f"NULL::VARCHAR[] AS blocked_by, coalesce(l.kept_run, p.run_id) AS kept_run, p.{COLUMN} "
                     f"FROM read_parquet(?) p LEFT JOIN ({levels.prior_sql(ctx.lake, ctx.dataset, ctx.prior_runs)}) l "
                     f"ON l.run_id = p.run_id AND l.doc_id = p.doc_id "
                     f"WHERE p.{PARAMS_COLUMN} = ? AND coalesce(l.level, 0) < {levels.GONE}") if prior_files else None
        cur_sql = (f"SELECT 1 AS grp, c.level AS k0, ({keep.policy_key_sql(cfg.keep)})::DOUBLE AS k1, c.ord AS k2, "
                   f"c.doc_id, {lit(ctx.run_id)} AS run_id, FALSE AS prior, c.ord, c.chars, c.source_uri, "
                   f"c.src_rank, c.score, c.content_hash, c.level, c.blocked_by, {lit(ctx.run_id)} AS kept_run, "
                   f"f.{COLUMN} "
                   f"FROM cur c JOIN read_parquet(?, union_by_name=true) f USING (doc_id) WHERE c.rep")
        union = f"{prior_sql} UNION ALL {cur_sql}" if prior_sql else cur_sql
        args = ([list(ctx.prior_runs), prior_files, param] if prior_sql else []) + [feats]
        con.execute(f"""COPY (
            SELECT row_number() OVER (ORDER BY grp, k0, k1, k2) - 1 AS node, * EXCLUDE (grp, k0, k1, k2),
                   {lit(param)} AS {PARAMS_COLUMN}
            FROM ({union}) ORDER BY node
        ) TO {lit(work / 'nodes.parquet')} (FORMAT parquet, ROW_GROUP_SIZE 65536)""", args)
        n, n_prior = con.execute(f"SELECT count(*), count(*) FILTER (WHERE prior) "
                                 f"FROM read_parquet({lit(work / 'nodes.parquet')})").fetchall()[0]
        return int(n), int(n_prior), skipped

    def _prior_files(self, ctx: CorpusContext, param: str) -> tuple[list[str], int]:
        """Persisted signature files of earlier runs made with the same settings, and how many runs differ."""
        files, skipped = [], 0
        for run in ctx.prior_runs:
            run_files = sorted(str(p) for p in (ctx.lake / "index" / ctx.dataset / INDEX_KIND / f"run={run}")
                               .glob("*.parquet"))
            if not run_files:
                continue
            if any(PARAMS_COLUMN not in pq.read_schema(f).names for f in run_files):
                skipped += 1
                continue
            values = {v for f in run_files for v in pq.read_table(f, columns=[PARAMS_COLUMN])
                      .column(0).unique().to_pylist()}
            if values <= {param}:
                files += run_files
            else:
                skipped += 1  # other signature settings: not comparable, and old signatures are never recomputed
        return files, skipped

    def _store_and_bands(self, work: Path, n_nodes: int, num_perm: int, bands: int, rows: int, parts: int,
                         batch_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Fill the memory-mapped signature store in node order and write the band-key partitions; return the
        store and each node's level (``tasks.dedup.levels``, one byte per node)."""
        store = np.lib.format.open_memmap(work / "signatures.npy", mode="w+", dtype=np.uint32,
                                          shape=(max(n_nodes, 1), num_perm))
        node_levels = np.zeros(n_nodes, dtype=np.int8)
        (work / "bands").mkdir()
        writers = {(b, p): pq.ParquetWriter(work / "bands" / f"b{b:03d}-p{p:04d}.parquet", _BAND_SCHEMA)
                   for b in range(bands) for p in range(parts)}
        try:
            expected = 0
            for batch in pq.ParquetFile(work / "nodes.parquet").iter_batches(batch_rows,
                                                                             columns=["node", COLUMN, "level"]):
                nodes = batch.column(0).to_numpy()
                if len(nodes) and (nodes[0] != expected or nodes[-1] != expected + len(nodes) - 1):
                    raise RuntimeError("dedup_near: nodes.parquet is not in node order")
                sigs = batch.column(1).flatten().to_numpy().astype(np.uint32).reshape(len(nodes), num_perm)
                store[expected:expected + len(nodes)] = sigs
                node_levels[expected:expected + len(nodes)] = batch.column(2).to_numpy()
                keys = lsh.band_keys(sigs, bands, rows)
                part_of = keys % np.uint64(parts) if parts > 1 else None
                for b in range(bands):
                    for p in range(parts):
                        sel = slice(None) if part_of is None else part_of[:, b] == p
                        writers[(b, p)].write_table(pa.table({"key": keys[sel, b], "node": nodes[sel]},
                                                             schema=_BAND_SCHEMA))
                expected += len(nodes)
        finally:
            for w in writers.values():
                w.close()
        store.flush()
        return store, node_levels

    def _candidates(self, work: Path, store: np.ndarray, need: int, n_prior: int, bands: int, parts: int,
                    cfg: NearDedupConfig, node_levels: np.ndarray) -> dict[str, int]:
        """Verified pairs of every band partition, one partition in memory at a time, one edge file each."""
        (work / "edges").mkdir()
        matches = lsh.signature_matcher(store)
        totals = {"dedup_near.buckets": 0, "dedup_near.candidates": 0, "dedup_near.verified_pairs": 0,
                  "dedup_near.capped_buckets": 0}
        for b in range(bands):
            for p in range(parts):
                part = pq.read_table(work / "bands" / f"b{b:03d}-p{p:04d}.parquet")
                u, v, m, st = lsh.partition_pairs(part.column("key").to_numpy(), part.column("node").to_numpy(),
                                                  need, matches, n_prior, cfg.all_pairs_max, cfg.max_pivots,
                                                  node_levels)
                del part
                pq.write_table(pa.table({"u": u, "v": v, "m": m}, schema=_EDGE_SCHEMA),
                               work / "edges" / f"b{b:03d}-p{p:04d}.parquet")
                totals["dedup_near.buckets"] += st.buckets
                totals["dedup_near.candidates"] += st.candidates
                totals["dedup_near.verified_pairs"] += st.verified
                totals["dedup_near.capped_buckets"] += st.capped_buckets
        return totals

    def _verify(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext, cfg: NearDedupConfig, work: Path,
                n_prior: int, param: str, need: int) -> int:
        """Write ``verified.parquet`` (u, v, m, j) sorted by (u, v); return the number of exact checks."""
        distinct = (f"SELECT u, v, max(m) AS m FROM read_parquet({lit(work / 'edges' / '*.parquet')}) GROUP BY u, v")
        if cfg.verify == "estimate":
            con.execute(f"COPY (SELECT *, NULL::DOUBLE AS j FROM ({distinct}) ORDER BY u, v) "
                        f"TO {lit(work / 'verified.parquet')} (FORMAT parquet)")
            return 0
        con.execute(f"COPY ({distinct}) TO {lit(work / 'candidates.parquet')} (FORMAT parquet)")
        mode, ngram, char_ngram = shingle_settings(param)
        shingles = ShingleStore(work / "shingles.bin", ngram, char_ngram, mode)
        texts = con.sql(f"""
            SELECT n.node, d.text FROM read_parquet({lit(work / 'nodes.parquet')}) n
            JOIN read_parquet({sql_list(ctx.docs_paths)}) d USING (doc_id)
            WHERE NOT n.prior AND n.node IN (SELECT u FROM read_parquet({lit(work / 'candidates.parquet')})
                                             UNION SELECT v FROM read_parquet({lit(work / 'candidates.parquet')}))
            ORDER BY n.node""").to_arrow_reader(min(cfg.batch_rows, 8192))
        for batch in texts:
            shingles.add(batch.column(0).to_numpy(), [t or "" for t in batch.column(1).to_pylist()])
        shingles.finish()
        edges = con.sql(f"SELECT u, v, m FROM read_parquet({lit(work / 'candidates.parquet')}) ORDER BY u, v") \
            .to_arrow_reader(cfg.batch_rows)
        checks = 0
        with pq.ParquetWriter(work / "verified.parquet", _VERIFIED_SCHEMA) as writer:
            batches = ((b.column(0).to_numpy(), b.column(1).to_numpy(), b.column(2).to_numpy()) for b in edges)
            for u, v, m, j in verify(batches, shingles, cfg.threshold, need):
                # NaN (decided on the estimate) becomes NULL, so SQL's coalesce falls back to the estimate
                writer.write_table(pa.table({"u": u, "v": v, "m": m, "j": pa.array(j, mask=np.isnan(j))},
                                            schema=_VERIFIED_SCHEMA))
                checks += int(np.count_nonzero(~np.isnan(j)))
        return checks

    def _clusters(self, con: duckdb.DuckDBPyConnection, work: Path, n_nodes: int, n_prior: int,
                  batch_rows: int, node_levels: np.ndarray) -> int:
        """Assign each duplicate to its kept copy; write ``dup_nodes.parquet`` (v, u, m); return duplicates."""
        reader = con.sql(f"SELECT u, v, m FROM read_parquet({lit(work / 'verified.parquet')}) ORDER BY u, v") \
            .to_arrow_reader(batch_rows)

        def edges():
            for batch in reader:
                yield (batch.column(0).to_numpy(), batch.column(1).to_numpy(), batch.column(2).to_numpy())

        n = 0
        with pq.ParquetWriter(work / "dup_nodes.parquet", _EDGE_SCHEMA) as writer:
            for dup, kept, sim in keep.assign_keepers(edges(), n_nodes, n_prior, node_levels):
                writer.write_table(pa.table({"u": kept, "v": dup, "m": sim}, schema=_EDGE_SCHEMA))
                n += len(dup)
        return n

    def _write(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext, cfg: NearDedupConfig, work: Path,
               out: Path, num_perm: int, bands: int, rows: int) -> int:
        """Write the duplicates with their evidence: clustered records, then exact copies of clustered ones."""
        label = f"{cfg.score_stage}.{cfg.score_name}" if cfg.score_name else f"{cfg.score_stage}"
        rule = keep.rule_sql(cfg.keep, label.replace("'", "''"), len(cfg.source_priority))
        exact = lit("exact, on the two documents' shingle sets")
        estimated = lit("estimated from MinHash signatures (earlier runs keep signatures, not texts)")
        con.execute(f"""COPY (
          WITH n AS (SELECT * EXCLUDE ({COLUMN}) FROM read_parquet({lit(work / 'nodes.parquet')})),
               dn AS (SELECT dn.u, dn.v, dn.m, vf.j FROM read_parquet({lit(work / 'dup_nodes.parquet')}) dn
                      JOIN read_parquet({lit(work / 'verified.parquet')}) vf USING (u, v)),
               near AS (SELECT d.doc_id, k.doc_id AS duplicate_of, dn.m, dn.j, {rule} AS rule,
                               k.kept_run AS kept_run_id, NULL::VARCHAR AS identical_to, k.level AS kept_level,
                               d.level, d.blocked_by
                        FROM dn JOIN n d ON d.node = dn.v JOIN n k ON k.node = dn.u),
               copies AS (SELECT c.doc_id, coalesce(nr.duplicate_of, r.doc_id) AS duplicate_of,
                                 coalesce(nr.m, {num_perm}) AS m,
                                 CASE WHEN nr.doc_id IS NULL THEN 1.0 ELSE nr.j END AS j,
                                 coalesce(nr.rule, CASE WHEN c.level > r.level THEN
                                   'identical after normalisation to the kept copy, the first copy of its content '
                                   || 'whose own findings make it ' || {levels.level_name('r.level')}
                                   || ' (this copy would be ' || {levels.level_name('c.level')} || ')'
                                   ELSE 'identical after normalisation to the first seen copy' END) AS rule,
                                 coalesce(nr.kept_run_id, {lit(ctx.run_id)}) AS kept_run_id,
                                 r.doc_id AS identical_to, coalesce(nr.kept_level, r.level) AS kept_level,
                                 c.level, c.blocked_by
                          FROM cur c JOIN n r ON r.content_hash = c.content_hash AND NOT r.prior
                          LEFT JOIN near nr ON nr.doc_id = r.doc_id
                          WHERE NOT c.rep)
          SELECT doc_id, duplicate_of, 'near' AS method, coalesce(j, m / {num_perm}::DOUBLE) AS similarity,
                 json_object('reason', '{reasons.DUP_NEAR}', 'kept_doc_id', duplicate_of,
                             'kept_run_id', kept_run_id, 'keep_policy', '{cfg.keep}', 'rule', rule,
                             'jaccard', round(coalesce(j, m / {num_perm}::DOUBLE), 4),
                             'jaccard_method', CASE WHEN j IS NULL THEN {estimated} ELSE {exact} END,
                             'estimated_jaccard', round(m / {num_perm}::DOUBLE, 4), 'matching_permutations', m,
                             'num_perm', {num_perm}, 'threshold', {cfg.threshold}, 'bands', {bands}, 'rows', {rows},
                             'verified_against', 'the kept copy itself',
                             'identical_to', identical_to,
                             'kept_outcome', {levels.level_name('kept_level')},
                             'copy_outcome', {levels.level_name('level')},
                             'copy_blocked_by', blocked_by)::VARCHAR AS evidence
          FROM (SELECT * FROM near UNION ALL SELECT * FROM copies)
          ORDER BY doc_id
        ) TO {lit(out)} (FORMAT parquet, COMPRESSION zstd)""")
        return int(con.execute(f"SELECT count(*) FROM read_parquet({lit(out)})").fetchall()[0][0])

    def _persist(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext, work: Path) -> None:
        """Persist this run's kept signatures (replacing any from an earlier attempt of the same run)."""
        folder = ctx.lake / "index" / ctx.dataset / INDEX_KIND / f"run={ctx.run_id}"
        tmp = work / "index.parquet"
        con.execute(f"""COPY (
            SELECT doc_id, run_id, ord, {COLUMN}, {PARAMS_COLUMN} FROM read_parquet({lit(work / 'nodes.parquet')})
            WHERE NOT prior AND node NOT IN (SELECT v FROM read_parquet({lit(work / 'dup_nodes.parquet')}))
            ORDER BY node
        ) TO {lit(tmp)} (FORMAT parquet, COMPRESSION zstd)""")
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
        shutil.move(str(tmp), folder / "part-00000.parquet")
