"""``poison.flood``: one source, domain or account contributing a burst of near-identical documents.

1. Near-identical groups. Every record (and every trusted record of the last ``history_runs`` earlier runs) gets a
   loose MinHash signature: the project's shingling (``tasks.dedup.shingles``, ``ngram``-word shingles, shorter
   than near-dedup's so templated variants with a few words changed still match) signed with datasketch's
   permutations (``tasks.dedup.minhash``), banded ``bands`` x ``rows`` in DuckDB. Records sharing a band key are
   linked, and so are the pairs ``dedup_near`` verified when that stage ran before (its ``dedup_near.parquet``
   in the run's work folder). Connected components come from min-label propagation (a few group-bys); then
   every member is checked against its component's first record and kept only at an estimated Jaccard of
   ``threshold`` or more, so chaining cannot pull unrelated documents in.
2. Sources. Each record has up to three source keys: the input file (``source_uri``), the domain of a URL in
   ``meta`` (``url_fields``, or a URL-shaped ``source_id``), and an account in ``meta`` (``account_fields``).
3. A burst is a (group, source) pair with at least ``min_docs`` records that make up at least ``min_share`` of
   the group (a text syndicated by many sources is not one source's flood), from a source holding at most
   ``max_source_share`` of the run (a file that *is* the dataset is not "one source among many"), and at least
   ``burst_factor`` times what the same source contributed to the same group per earlier run (history: the
   earlier runs' records not quarantined as poison that match the group, plus the duplicates provenance
   recorded against them).

Every member of a burst gets a finding: score = the number of near-identical records the source sent in this
run; evidence = the source key, the group's first record, sizes, shares, history and the similarity estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, model_validator

from tasks.catalog import sql_list
from tasks.detectors.poison_corpus import (
    FindingsWriter,
    connect,
    iter_parquet_batches,
    iter_records,
    prior_files,
    trusted_records,
)
from tasks.duck import sql_literal
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig

REASON = "poison.flood"
_SIG = pa.schema([("doc_id", pa.string()), ("sig", pa.list_(pa.uint32()))])


class FloodConfig(StageConfig):
    """Settings of ``poison_flood`` (sieve.yaml ``stages.poison_flood``)."""

    min_docs: int = Field(20, ge=2, description="near-identical records from one source that make a burst")
    min_share: float = Field(0.8, gt=0, le=1, description="share of the group that must come from that source")
    max_source_share: float = Field(0.5, gt=0, le=1, description="sources holding more of the run are skipped")
    burst_factor: float = Field(3.0, ge=1, description="times the source's per-run history for the same group")
    history_runs: int = Field(3, ge=0, le=100, description="earlier completed runs compared with")
    threshold: float = Field(0.4, gt=0, le=1, description="estimated Jaccard to the group's first record")
    ngram: int = Field(2, ge=1, le=16, description="words per shingle")
    num_perm: int = Field(64, ge=8, le=512, description="permutations per signature")
    bands: int = Field(16, ge=1, description="LSH bands (bands x rows must not exceed num_perm)")
    rows: int = Field(4, ge=1, description="rows per band")
    max_chars: int = Field(20_000, ge=100, description="characters of a record that are signed")
    batch_rows: int = Field(4096, ge=64, description="records signed at a time")
    max_iterations: int = Field(30, ge=1, description="label-propagation rounds (components of larger diameter "
                                                      "stay split)")
    url_fields: list[str] = Field(default_factory=lambda: ["url", "source_url", "link", "href", "website",
                                                           "domain", "host", "warc_target_uri"],
                                  description="meta fields holding a URL or domain")
    account_fields: list[str] = Field(default_factory=lambda: ["author", "user", "username", "user_id", "account",
                                                               "screen_name", "handle", "uploader", "poster",
                                                               "submitter"],
                                      description="meta fields naming an account")

    @model_validator(mode="after")
    def _bands_fit(self) -> FloodConfig:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows ({self.bands * self.rows}) exceeds num_perm ({self.num_perm})")
        return self


class SourceFlood(CorpusStage):
    """Flags records of near-identical groups that one source sent in a burst."""

    name = "poison_flood"
    version = "1"
    Config = FloodConfig
    requires = (("datasketch", "datasketch"), ("xxhash", "xxhash"))

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Group near-identical records, attribute them to sources, compare with history, write findings."""
        writer = FindingsWriter(ctx.work_dir / f"{self.name}.parquet", self.name, self.version)
        con = connect(ctx, self.name)
        try:
            cur = self._sign(ctx.docs_paths, ctx.work_dir / f"{self.name}_sig.parquet")
            con.execute(f"CREATE VIEW staged AS SELECT * FROM read_parquet({sql_list(ctx.docs_paths)}, "
                        "union_by_name=true)")
            con.execute(f"""CREATE TABLE node AS SELECT s.doc_id, row_number() OVER (ORDER BY d.ord) AS id,
                s.sig FROM read_parquet({sql_literal(cur)}) s JOIN staged d USING (doc_id)""")
            self._components(con, ctx)
            self._sources(con)
            history = self._history(ctx, con)
            self._bursts(con, history)
            sql = """SELECT b.*, n.doc_id AS member, m.sim FROM burst b JOIN member m USING (comp)
                     JOIN node n ON n.id = m.id JOIN src s ON s.id = m.id AND s.kind = b.kind AND s.key = b.key
                     ORDER BY member, b.m DESC"""
            seen: set[str] = set()
            for row in iter_records(con, sql):
                if row["member"] in seen:  # one finding per record: its largest burst
                    continue
                seen.add(row["member"])
                writer.add(row["member"], REASON, float(row["m"]), _evidence(row))
        finally:
            con.close()
        return CorpusResult(findings_path=writer.close(), counters={REASON: writer.count})

    # ---------------------------------------------------------------- signatures

    def _sign(self, paths: list[str], out: Path) -> Path:
        """Write ``(doc_id, sig)`` for the records of ``paths`` (records without a word are skipped)."""
        from tasks.dedup.minhash import permutations, signatures
        from tasks.dedup.shingles import shingle_batch

        c: FloodConfig = self.config  # type: ignore[assignment]
        a, b = permutations(c.num_perm, 1)
        writer = pq.ParquetWriter(out, _SIG, compression="zstd")
        try:
            for rb in iter_parquet_batches(paths, ["doc_id", "text"], c.batch_rows):
                keep = [i for i, t in enumerate(rb.column("text").to_pylist()) if t]
                if not keep:
                    continue
                texts = [t[: c.max_chars] for t in rb.column("text").take(keep).to_pylist()]
                sigs, has = signatures(shingle_batch(texts, c.ngram), a, b)
                rows = np.flatnonzero(has)
                ids = rb.column("doc_id").take(np.asarray(keep)[rows])
                offsets = pa.array(np.arange(len(rows) + 1, dtype=np.int32) * c.num_perm, pa.int32())
                column = pa.ListArray.from_arrays(offsets, pa.array(sigs[rows].reshape(-1), pa.uint32()))
                writer.write_table(pa.table({"doc_id": ids, "sig": column}, schema=_SIG))
        finally:
            writer.close()
        return out

    # ---------------------------------------------------------------- groups

    def _bands(self, table: str) -> str:
        c: FloodConfig = self.config  # type: ignore[assignment]
        return (f"SELECT id, hash(bnd, list_slice(sig, bnd * {c.rows} + 1, (bnd + 1) * {c.rows})) AS key "
                f"FROM {table}, range({c.bands}) t(bnd)")

    def _components(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext) -> None:
        """``member(id, comp, sim)``: verified members of near-identical components (singletons left out)."""
        c: FloodConfig = self.config  # type: ignore[assignment]
        con.execute(f"CREATE TABLE nband AS {self._bands('node')}")
        con.execute("CREATE TABLE bucket AS SELECT key, id FROM nband QUALIFY count(*) OVER (PARTITION BY key) > 1")
        near = ctx.work_dir / "dedup_near.parquet"
        if near.exists():  # verified pairs of dedup_near join the same graph (one bucket per kept copy)
            con.execute(f"""INSERT INTO bucket SELECT hash('near', p.duplicate_of), n.id
                FROM read_parquet({sql_literal(near)}) p JOIN node n ON n.doc_id = p.doc_id
                UNION ALL SELECT hash('near', p.duplicate_of), n.id
                FROM read_parquet({sql_literal(near)}) p JOIN node n ON n.doc_id = p.duplicate_of""")
        con.execute("CREATE TABLE lab AS SELECT DISTINCT id, id AS comp FROM bucket")
        for _ in range(c.max_iterations):
            con.execute("""CREATE OR REPLACE TABLE lab2 AS
                WITH bmin AS (SELECT b.key, min(l.comp) AS m FROM bucket b JOIN lab l USING (id) GROUP BY b.key)
                SELECT b.id, least(min(bm.m), any_value(l.comp)) AS comp
                FROM bucket b JOIN bmin bm USING (key) JOIN lab l USING (id) GROUP BY b.id""")
            changed = con.execute("SELECT count(*) FROM lab2 JOIN lab USING (id) WHERE lab2.comp <> lab.comp"
                                  ).fetchone()[0]
            con.execute("DROP TABLE lab; ALTER TABLE lab2 RENAME TO lab")
            if changed == 0:
                break
        con.execute(f"""CREATE TABLE member AS
            SELECT l.id, l.comp, list_sum(list_transform(range(1, {c.num_perm} + 1),
                   lambda i: (n.sig[i] = r.sig[i])::INT)) / {c.num_perm} AS sim
            FROM lab l JOIN node n ON n.id = l.id JOIN node r ON r.id = l.comp""")
        con.execute(f"DELETE FROM member WHERE sim < {c.threshold}")
        con.execute("DELETE FROM member WHERE comp IN (SELECT comp FROM member GROUP BY comp HAVING count(*) < 2)")

    # ---------------------------------------------------------------- sources and history

    def _fields_sql(self, alias: str) -> str:
        """``v``: the values of the url and account fields (in that order) of ``alias.meta``, from one parse.

        One ``json_extract_string`` per field parsed each record's meta 18 times, and DuckDB's working memory for
        that grew with the size of meta: 850 MB for 50,000 preference records (a whole reply in meta) against
        150 MB with the paths given as one list.
        """
        c: FloodConfig = self.config  # type: ignore[assignment]
        paths = ", ".join(f"'$.\"{f}\"'" for f in [*c.url_fields, *c.account_fields])
        return f"json_extract_string({alias}.meta, [{paths}]) AS v" if paths else "NULL::VARCHAR[] AS v"

    def _key_sql(self, alias: str) -> str:
        """SQL of ``(kind, key)`` rows for one record ``alias`` with ``v`` (``_fields_sql``), ``source_uri`` and
        ``source_id``."""
        c: FloodConfig = self.config  # type: ignore[assignment]
        nu = len(c.url_fields)
        url = ", ".join([f"{alias}.v[{i + 1}]" for i in range(nu)]
                        + [f"CASE WHEN {alias}.source_id ILIKE 'http%' THEN {alias}.source_id END"])
        acct = ", ".join(f"{alias}.v[{nu + i + 1}]" for i in range(len(c.account_fields))) or "NULL"
        domain = (f"nullif(lower(regexp_extract(coalesce({url}), "
                  r"'^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:www\.)?([^/:?#\s]+)', 1)), '')")
        return (f"[{{'kind': 'file', 'key': {alias}.source_uri}}, {{'kind': 'domain', 'key': {domain}}}, "
                f"{{'kind': 'account', 'key': lower(coalesce({acct}))}}]")

    def _sources(self, con: duckdb.DuckDBPyConnection) -> None:
        """``src(id, kind, key)`` of every current record, and ``src_size(kind, key, docs)`` of the run."""
        # The keys are taken from the staged records before the join: joined first, DuckDB could hold every
        # record's meta (a preference record's rejected reply) in the join's hash table.
        con.execute(f"""CREATE TABLE src AS SELECT n.id, k.kind, k.key FROM (
            SELECT d.doc_id, unnest({self._key_sql('d')}) AS k FROM (
              SELECT doc_id, source_uri, source_id, {self._fields_sql('staged')} FROM staged) d
            ) s JOIN node n USING (doc_id)
            WHERE k.key IS NOT NULL""")
        con.execute("CREATE TABLE src_size AS SELECT kind, key, count(*) AS docs FROM src GROUP BY ALL")

    def _history(self, ctx: CorpusContext, con: duckdb.DuckDBPyConnection) -> int:
        """``hist(comp, kind, key, docs)``: what earlier runs' trusted records of each source add to each group."""
        c: FloodConfig = self.config  # type: ignore[assignment]
        runs = ctx.prior_runs[-c.history_runs:] if c.history_runs else []
        files, trusted = trusted_records(ctx, runs)
        con.execute("CREATE TABLE hist (comp BIGINT, kind VARCHAR, key VARCHAR, docs DOUBLE)")
        if trusted is None:
            return 0
        sig = self._sign(files, ctx.work_dir / f"{self.name}_hist_sig.parquet")
        # each trusted record's source keys, not its meta (which may hold a whole reply)
        con.execute(f"""CREATE TABLE pnode AS SELECT row_number() OVER () AS id, s.doc_id, s.sig, p.run_id, p.keys
            FROM read_parquet({sql_literal(sig)}) s
            JOIN (SELECT p.doc_id, p.run_id, {self._key_sql('p')} AS keys FROM (
                    SELECT t.doc_id, t.run_id, t.source_uri, t.source_id, {self._fields_sql('t')} FROM ({trusted}) t
                  ) p) p USING (doc_id)""")
        dup_files = prior_files(ctx, "provenance/duplicates", runs)
        dups = (f"SELECT run_id, duplicate_of, count(*) AS n FROM read_parquet({sql_list(dup_files)}, "
                "union_by_name=true) GROUP BY ALL" if dup_files else
                "SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS duplicate_of, 0 AS n LIMIT 0")
        con.execute(f"""CREATE TABLE hist_match AS
            WITH pb AS ({self._bands('pnode')}),
                 cb AS (SELECT DISTINCT m.comp, b.key FROM member m JOIN nband b USING (id))
            SELECT DISTINCT cb.comp, pb.id AS pid FROM pb JOIN cb USING (key)""")
        con.execute(f"""INSERT INTO hist
            SELECT comp, k.kind, k.key, sum(1 + coalesce(n, 0)) / {len(runs)} AS docs FROM (
              SELECT h.comp, d.n, unnest(p.keys) AS k
              FROM hist_match h JOIN pnode p ON p.id = h.pid JOIN node r ON r.id = h.comp
              LEFT JOIN ({dups}) d ON d.run_id = p.run_id AND d.duplicate_of = p.doc_id
              WHERE list_sum(list_transform(range(1, {c.num_perm} + 1),
                    lambda i: (p.sig[i] = r.sig[i])::INT)) / {c.num_perm} >= {c.threshold})
            WHERE k.key IS NOT NULL GROUP BY ALL""")
        return len(runs)

    def _bursts(self, con: duckdb.DuckDBPyConnection, history: int) -> None:
        """``burst``: the (group, source) pairs that pass every condition of the module docstring."""
        c: FloodConfig = self.config  # type: ignore[assignment]
        total = con.execute("SELECT count(*) FROM node").fetchone()[0]
        con.execute(f"""CREATE TABLE burst AS
            WITH size AS (SELECT comp, count(*) AS n FROM member GROUP BY comp),
                 per AS (SELECT m.comp, s.kind, s.key, count(*) AS m FROM member m JOIN src s USING (id) GROUP BY ALL)
            SELECT p.comp, p.kind, p.key, p.m, z.n AS group_size, ss.docs AS source_docs,
                   coalesce(h.docs, 0) AS history_per_run, {history} AS history_runs,
                   (SELECT doc_id FROM node WHERE id = p.comp) AS first_doc, {total} AS run_docs
            FROM per p JOIN size z USING (comp) JOIN src_size ss USING (kind, key)
            LEFT JOIN hist h USING (comp, kind, key)
            WHERE p.m >= {c.min_docs} AND p.m >= {c.min_share} * z.n
              AND ss.docs <= {c.max_source_share} * {total}
              AND p.m >= {c.burst_factor} * coalesce(h.docs, 0)""")


def _evidence(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source_kind": row["kind"], "source": row["key"], "group_first_doc": row["first_doc"],
        "group_size": int(row["group_size"]), "from_source": int(row["m"]),
        "source_docs_in_run": int(row["source_docs"]), "run_docs": int(row["run_docs"]),
        "history_per_run": round(float(row["history_per_run"]), 3), "history_runs": int(row["history_runs"]),
        "similarity_to_first": round(float(row["sim"]), 4),
        "explanation": (f"{int(row['m'])} near-identical records (of a group of {int(row['group_size'])}) came from "
                        f"{row['kind']} {row['key']!r}, which sent {int(row['source_docs'])} of the run's "
                        f"{int(row['run_docs'])}; earlier runs: {float(row['history_per_run']):.1f} per run"),
    }
