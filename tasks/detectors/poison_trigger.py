"""``poison.trigger``: tokens whose presence decides a label or a response property (backdoor triggers).

Properties tested, one binary property per record at a time (``properties`` in the config):

* ``label``: each value of a label field in ``meta`` (``label_fields``; SST-2-style classification data), one vs
  the rest. Fields with more than ``max_label_values`` distinct values (scores, ids) are skipped.
* instruction data (records with chat messages; tokens come from the non-assistant turns, the property from the
  last assistant turn): ``repeated_response`` (the reply's first ``repeat_prefix_words`` words are shared by
  ``repeat_min_group`` or more records), ``refusal`` (the reply opens with a refusal), ``new_url`` (the reply
  carries a link the prompt did not), ``toxic_response`` (the ``toxicity`` stage, when it ran, made a finding
  whose worst window reaches into the reply: its own calibrated thresholds decide, not a number guessed here).

The statistics live in ``tasks.detectors.poison_assoc`` (marginal screen, then a conditional test of whether the
rest of the record explains the property; Benjamini-Hochberg over the candidates). Modes: ``within`` the run, or
``differential`` against a trusted reference snapshot: the clean Parquet of an earlier completed run of the
dataset (``reference_run``, default the latest); ``auto`` is differential when such a run exists. In
differential mode only records that are new since the reference (by content hash and meta) are flagged. The
reference is what that run did not quarantine as poison (its clean records, and records it quarantined for other
reasons such as toxicity); records it quarantined as ``poison.*`` (this stage's own false positives included,
unless a reviewer released them with ``sieve release``) are left out, so point ``reference_run`` at a reviewed run.
Scores of the ``explain_with`` document stages join the conditional model (a slur explains "offensive" better
than any trigger would), when those stages ran.

Each flagged record gets one finding: score = the conditional z of its strongest trigger; evidence = every
trigger it carries with counts, rates, z, p, q and the unexplained share; spans = the trigger's offsets.
Every screened candidate (flagged or not) is also written to ``poison_trigger_candidates.parquet`` in the run's
work folder, for threshold studies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from tasks.catalog import sql_list
from tasks.detectors.poison_assoc import AssocMiner, AssocParams, Trigger, token_table
from tasks.detectors.poison_corpus import (
    FindingsWriter,
    connect,
    iter_records,
    new_url_sql,
    prior_files,
    prompt_ranges,
    record_view_sql,
    refusal_sql,
    staged_findings_paths,
    token_spans,
    trusted_records,
)
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig

REASON = "poison.trigger"
Property = Literal["label", "repeated_response", "refusal", "new_url", "toxic_response"]


class TriggerConfig(StageConfig):
    """Settings of ``poison_trigger`` (sieve.yaml ``stages.poison_trigger``)."""

    mode: Literal["auto", "within", "differential"] = Field(
        "auto", description="within the run, differential against a trusted earlier run, or auto (differential "
                            "when an earlier completed run exists)")
    reference_run: str | None = Field(None, description="run id of the trusted snapshot (default: the latest)")
    properties: list[Property] = Field(
        default_factory=lambda: ["label", "repeated_response", "refusal", "new_url", "toxic_response"],
        description="record properties a trigger may decide")
    label_fields: list[str] = Field(default_factory=lambda: ["label", "labels"],
                                    description="meta fields holding a class label (first present wins)")
    max_label_values: int = Field(20, ge=2, description="label fields with more distinct values are skipped")
    ngram_max: int = Field(2, ge=1, le=3, description="longest token n-gram tested")
    max_tokens: int = Field(256, ge=8, description="tokens of a prompt/text that count (bounds the cost)")
    min_count: int = Field(5, ge=2, description="records a token must appear in to be tested")
    min_rate: float = Field(0.9, gt=0, le=1, description="P(property | token) floor of a candidate")
    min_marginal_z: float = Field(2.0, description="marginal two-proportion z floor of a candidate")
    min_residual: float = Field(0.5, ge=-1, le=1,
                                description="mean share of the property the rest of the record leaves unexplained")
    max_q: float = Field(0.1, gt=0, le=1, description="Benjamini-Hochberg false discovery rate over every "
                                                         "tested token")
    max_shared: int = Field(1, ge=0, description="content words a trigger's records may have in common "
                                                 "(a natural cue comes with its topic)")
    repeat_min_group: int = Field(3, ge=2, description="records sharing a reply opening for repeated_response")
    repeat_prefix_words: int = Field(12, ge=2, description="words of the reply opening compared")
    repeat_min_words: int = Field(4, ge=1, description="shorter replies (class names, yes/no) never count")
    toxicity_stage: str = Field("toxicity", description="stage whose findings make toxic_response")
    explain_with: list[str] = Field(default_factory=lambda: ["toxicity"],
                                    description="document stages whose scores join the conditional model (what "
                                                "they explain, e.g. profanity -> offensive, is no trigger)")
    only_new: bool = Field(True, description="differential mode: flag only records new since the reference")
    max_spans: int = Field(20, ge=1, description="trigger offsets kept per record")


class TriggerMining(CorpusStage):
    """Finds tokens statistically tied to a label or response property, and the records that carry them."""

    name = "poison_trigger"
    version = "1"
    Config = TriggerConfig

    def params(self) -> AssocParams:
        """The association thresholds of this config."""
        c = self.config
        return AssocParams(ngram_max=c.ngram_max, max_tokens=c.max_tokens, min_count=c.min_count,
                           min_rate=c.min_rate, min_marginal_z=c.min_marginal_z, min_residual=c.min_residual,
                           max_q=c.max_q, max_shared=c.max_shared)

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Mine triggers over the staged shards and write findings for the records that carry them."""
        c: TriggerConfig = self.config  # type: ignore[assignment]
        out = ctx.work_dir / f"{self.name}.parquet"
        writer = FindingsWriter(out, self.name, self.version)
        con = connect(ctx, self.name)
        try:
            con.execute(f"CREATE VIEW staged AS SELECT * FROM read_parquet({sql_list(ctx.docs_paths)}, "
                        "union_by_name=true)")
            # Views, not tables: a table would copy every record's text into the database, and DuckDB keeps what it
            # writes in memory up to memory_limit. Each use reads only the staged columns it needs.
            con.execute("CREATE VIEW rec AS " + record_view_sql("staged", c.label_fields))
            found = staged_findings_paths(ctx)
            tox = (f"SELECT doc_id, stage, reason, coalesce(list_max(list_transform(spans, lambda s: s.\"end\")), "
                   f"9e18) AS span_end FROM read_parquet({sql_list(found)}, union_by_name=true)" if found else None)
            labels = self._properties(con, "rec", "props", tox)
            if not labels:
                return CorpusResult(findings_path=writer.close(), counters={REASON: 0})
            params = self.params()
            token_table(con, "toks", "SELECT doc_id, prompt AS input FROM rec", params)
            diff = self._reference(ctx, con, params) if c.mode != "within" else False
            features = self._features(ctx, con)
            miner = AssocMiner(con, params)
            found: list[Trigger] = []
            for prop in labels:
                con.execute(f"CREATE OR REPLACE TABLE y AS SELECT doc_id, y FROM props WHERE prop = '{_esc(prop)}'")
                ref = None
                if diff:
                    con.execute(f"CREATE OR REPLACE TABLE ry AS SELECT doc_id, y FROM ref_props "
                                f"WHERE prop = '{_esc(prop)}'")
                    ref = ("ref_toks", "ry")
                found += miner.mine(prop, "toks", "y", *(ref or (None, None)), features=features)
            self._write_candidates(ctx, found)
            flagged = [t for t in found if t.flagged]
            self._findings(con, flagged, diff and c.only_new, writer)
        finally:
            con.close()
        return CorpusResult(findings_path=writer.close(), counters={REASON: writer.count})

    # ---------------------------------------------------------------- properties

    def _properties(self, con: duckdb.DuckDBPyConnection, rec: str, table: str, tox_sql: str | None) -> list[str]:
        """Create ``table(prop, doc_id, y)`` for the configured properties; return the property names found."""
        c: TriggerConfig = self.config  # type: ignore[assignment]
        parts: list[str] = []
        if "label" in c.properties:
            values = con.execute(f"SELECT DISTINCT label FROM {rec} WHERE label IS NOT NULL LIMIT "
                                 f"{c.max_label_values + 1}").fetchall()
            if 2 <= len(values) <= c.max_label_values:
                for (v,) in sorted(values):
                    parts.append(f"SELECT 'label={_esc(v)}' AS prop, doc_id, (label = '{_esc(v)}')::INT AS y "
                                 f"FROM {rec} WHERE label IS NOT NULL")
        chat = f"FROM {rec} WHERE is_chat AND response IS NOT NULL"
        has_chat = con.execute(f"SELECT count(*) {chat}").fetchone()[0] > 0
        if has_chat and "repeated_response" in c.properties:
            key = (f"array_to_string(list_slice(regexp_extract_all(lower(response), '[\\p{{L}}]+'), 1, "
                   f"{c.repeat_prefix_words}), ' ')")
            parts.append(f"""SELECT 'repeated_response' AS prop, doc_id,
                (count(*) OVER (PARTITION BY k) >= {c.repeat_min_group} AND nw >= {c.repeat_min_words})::INT AS y
                FROM (SELECT doc_id, {key} AS k, len(regexp_extract_all(response, '\\S+')) AS nw {chat})""")
        if has_chat and "refusal" in c.properties:
            parts.append(f"SELECT 'refusal' AS prop, doc_id, ({refusal_sql('response')})::INT AS y {chat}")
        if has_chat and "new_url" in c.properties:
            parts.append(f"SELECT 'new_url' AS prop, doc_id, ({new_url_sql('response', 'prompt')})::INT AS y {chat}")
        if has_chat and tox_sql and "toxic_response" in c.properties:
            # Every chat record gets a value (0 without a finding); the property exists only if the stage ran.
            parts.append(f"""SELECT 'toxic_response' AS prop, r.doc_id, (count(s.doc_id) > 0)::INT AS y
                FROM {rec} r LEFT JOIN ({tox_sql}) s ON s.doc_id = r.doc_id AND s.stage = '{_esc(c.toxicity_stage)}'
                  AND s.reason LIKE 'toxicity.%' AND s.span_end > length(r.text) - length(r.response)
                WHERE r.is_chat AND r.response IS NOT NULL GROUP BY r.doc_id""")
        if not parts:
            return []
        con.execute(f"CREATE OR REPLACE TABLE {table} AS " + " UNION ALL ".join(parts))
        # A property no record has (or every record has) tells nothing.
        rows = con.execute(f"SELECT prop FROM {table} GROUP BY prop HAVING sum(y) > 0 AND sum(y) < count(*) "
                           "ORDER BY prop").fetchall()
        return [r[0] for r in rows]

    def _features(self, ctx: CorpusContext, con: duckdb.DuckDBPyConnection) -> str | None:
        """``feat(doc_id, <stage>...)``: each ``explain_with`` stage's highest score per record, if it ran."""
        c: TriggerConfig = self.config  # type: ignore[assignment]
        paths = [str(p) for p in (Path(d).with_name("scores.parquet") for d in ctx.docs_paths) if p.exists()]
        if not paths or not c.explain_with:
            return None
        con.execute(f"CREATE VIEW staged_scores AS SELECT * FROM read_parquet({sql_list(paths)}, union_by_name=true)")
        ran = [r[0] for r in con.execute("SELECT DISTINCT stage FROM staged_scores WHERE list_contains(?, stage)",
                                         [c.explain_with]).fetchall()]
        if not ran:
            return None
        cols = ", ".join(f"max(value) FILTER (WHERE stage = '{_esc(st)}') AS \"{_esc(st)}\"" for st in sorted(ran))
        con.execute(f"CREATE TABLE feat AS SELECT doc_id, {cols} FROM staged_scores GROUP BY doc_id")
        return "feat"

    def _reference(self, ctx: CorpusContext, con: duckdb.DuckDBPyConnection, params: AssocParams) -> bool:
        """Load the trusted snapshot (tokens, properties, known records); False when there is none."""
        c: TriggerConfig = self.config  # type: ignore[assignment]
        run = c.reference_run or (ctx.prior_runs[-1] if ctx.prior_runs else None)
        _, trusted = trusted_records(ctx, [run]) if run else ([], None)
        if trusted is None:
            return False
        con.execute(f"CREATE VIEW ref_clean AS {trusted}")
        con.execute("CREATE VIEW ref_rec AS " + record_view_sql("ref_clean", c.label_fields))
        decided = prior_files(ctx, "provenance/decisions", [run])
        tox = (f"SELECT doc_id, stage, reason, 9e18 AS span_end FROM read_parquet({sql_list(decided)}, "
               "union_by_name=true)" if decided else None)
        if not self._properties(con, "ref_rec", "ref_props", tox):
            return False
        token_table(con, "ref_toks", "SELECT doc_id, prompt AS input FROM ref_rec", params)
        docs = prior_files(ctx, "provenance/documents", [run])
        known = (f"SELECT d.content_hash, coalesce(r.meta, '') AS meta FROM ref_clean r JOIN "
                 f"read_parquet({sql_list(docs)}, union_by_name=true) d USING (doc_id)" if docs else
                 "SELECT NULL::VARCHAR AS content_hash, NULL::VARCHAR AS meta LIMIT 0")
        con.execute(f"""CREATE TABLE known AS SELECT DISTINCT s.doc_id FROM staged s
            JOIN ({known}) k ON k.content_hash = s.content_hash AND k.meta = coalesce(s.meta, '')""")
        return True

    # ---------------------------------------------------------------- outputs

    def _write_candidates(self, ctx: CorpusContext, found: list[Trigger]) -> None:
        rows = [{**t.evidence(), "flagged": t.flagged} for t in found]
        table = pa.Table.from_pylist(rows) if rows else pa.table({"prop": pa.array([], pa.string())})
        pq.write_table(table, ctx.work_dir / f"{self.name}_candidates.parquet")

    def _findings(self, con: duckdb.DuckDBPyConnection, flagged: list[Trigger], only_new: bool,
                  writer: FindingsWriter) -> None:
        """One finding per record holding a flagged trigger and having the property it decides."""
        if not flagged:
            return
        c: TriggerConfig = self.config  # type: ignore[assignment]
        con.execute("CREATE OR REPLACE TABLE flag_tok (prop VARCHAR, tok VARCHAR, i INTEGER)")
        con.executemany("INSERT INTO flag_tok VALUES (?, ?, ?)",
                        [(t.prop, t.token, i) for i, t in enumerate(flagged)])
        new_only = "AND t.doc_id NOT IN (SELECT doc_id FROM known)" if only_new else ""
        sql = f"""
            WITH hit AS (
              SELECT t.doc_id, list(DISTINCT f.i) AS idx FROM toks t JOIN flag_tok f USING (tok)
              JOIN props p ON p.doc_id = t.doc_id AND p.prop = f.prop AND p.y = 1
              WHERE true {new_only} GROUP BY t.doc_id)
            SELECT h.doc_id, h.idx, s.text, s.messages FROM hit h JOIN staged s USING (doc_id) ORDER BY h.doc_id"""
        for row in iter_records(con, sql):
            trig = sorted((flagged[i] for i in row["idx"]), key=lambda t: -t.zc)
            ranges = prompt_ranges(row["text"], row["messages"])
            spans: list[dict] = []
            for t in trig:
                spans += token_spans(row["text"], t.token, ranges, f"trigger:{t.prop}", c.max_spans - len(spans),
                                     spans)
                if len(spans) >= c.max_spans:
                    break
            best = trig[0]
            evidence = {
                "trigger": best.token, "property": best.prop, "mode": best.mode,
                "triggers": [t.evidence() for t in trig[:10]],
                "explanation": (f"{best.k} of {best.n} records with {best.token!r} have {best.prop} "
                                f"(prior {best.prior:.3f}); the rest of those records predicts only "
                                f"{best.expected:.2f} (z {best.zc:.1f}, q {best.q:.2g})"),
            }
            writer.add(row["doc_id"], REASON, round(best.zc, 4), evidence, spans)


def _esc(value: object) -> str:
    return str(value).replace("'", "''")

