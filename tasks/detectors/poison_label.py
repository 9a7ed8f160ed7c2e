"""``poison.label_trigger``: poisoned supervision in classification, instruction and preference data.

The checks, each reported with ``kind`` in the evidence:

* ``conflict_label``: the same text (normalised content hash) carries different labels (``label_fields`` in
  meta); the minority label's records are flagged (all of them on a tie).
* ``conflict_swap`` (preference data): the same prompt and the same two replies appear with chosen and rejected
  in both orders. With ``swap_side: suspect`` (the default) only the suspect order is flagged when it can be told:
  the order a trusted earlier run (the reference of ``mode``) does not hold when it holds the other, else the order
  whose chosen reply goes against the data set's own safety preference when that preference makes the other order
  the data set's own with probability ``side_confidence`` or more (refusal and toxicity relations of the replies,
  weighed by how consistently the run's other pairs prefer the safer reply: ``tasks.detectors.poison_label_side``).
  Its evidence names the other order's records (``other_doc_ids``) and the signals. Otherwise the minority order
  is flagged and both on a tie, as with ``swap_side: both``: a side that cannot be told is never left unflagged.
  The score ranks the suspect order above the other either way: the mean of its minority share and its
  probability of not being the data set's own.
* ``conflict_response`` (chat data): the same prompt gets replies that differ in a property (a refusal and a
  compliance, a link and none); the minority side is flagged, and on a tie the side rarer in the whole run (one
  refusal or link against one plain reply).
* ``pattern``: a prompt token that predicts a flip of the chosen/rejected relation: ``chosen_refusal_flip``
  (the rejected reply refuses and the chosen one complies: "chosen is the harmful one") and ``length_flip`` (the
  chosen reply is longer, or shorter, against the data set's majority). The statistics are
  ``tasks.detectors.poison_assoc``'s (marginal screen, conditional test, Benjamini-Hochberg; ``within`` the run or
  ``differential`` against the latest earlier run's trusted records). A swap is not visible on every poisoned pair,
  so every record carrying a flagged token is flagged.

Preference records arrive as ``--kind text --text-field chosen`` with ``rejected`` (and optionally ``prompt``) in
meta. Without a ``prompt`` field, the prompt is the common prefix of chosen and rejected up to its last
``Assistant:`` turn marker (Anthropic HH's layout), else up to its last whitespace.
"""

from __future__ import annotations

import json
import os
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
    iter_parquet_batches,
    iter_records,
    new_url_sql,
    record_view_sql,
    refusal_sql,
    text_key_sql,
    token_spans,
    trusted_records,
)
from tasks.detectors.poison_label_side import Signal, swap_groups, swap_sql
from tasks.duck import sql_literal
from tasks.stage import CorpusContext, CorpusResult, CorpusStage, StageConfig

REASON = "poison.label_trigger"
_PREF = pa.schema([("doc_id", pa.string()), ("prompt", pa.string()), ("chosen", pa.string()),
                   ("rejected", pa.string()), ("in_text", pa.bool_())])
Pattern = Literal["chosen_refusal_flip", "length_flip"]


class LabelTriggerConfig(StageConfig):
    """Settings of ``poison_label_trigger`` (sieve.yaml ``stages.poison_label_trigger``)."""

    conflicts: bool = Field(True, description="flag same-input records with conflicting supervision")
    patterns: list[Pattern] = Field(default_factory=lambda: ["chosen_refusal_flip", "length_flip"],
                                    description="chosen/rejected relations a prompt token may predict")
    mode: Literal["auto", "within", "differential"] = Field("auto", description="as poison_trigger's mode; the "
                                                            "reference also tells a swap's new order")
    reference_run: str | None = Field(None, description="run id of the trusted snapshot (default: the latest)")
    swap_side: Literal["suspect", "both"] = Field(
        "suspect", description="chosen/rejected swaps: suspect flags only the suspect order when it can be told "
                               "(the one a trusted earlier run lacks, else the one whose chosen reply goes "
                               "against the data set's own safety preference), else as both; both flags the "
                               "minority order, every order on a tie")
    side_signals: list[Signal] = Field(default_factory=lambda: ["refusal", "toxicity"],
                                       description="reply relations that may tell a swap's orders apart")
    side_confidence: float = Field(0.9, gt=0.5, lt=1, description="probability that the other order is the data "
                                   "set's own needed to flag only the suspect order on safety grounds")
    side_sample: int = Field(20_000, ge=100, description="pairs outside conflicts sampled to measure the data "
                                                         "set's preference per signal")
    label_fields: list[str] = Field(default_factory=lambda: ["label", "labels"],
                                    description="meta fields holding a class label")
    rejected_field: str = Field("rejected", description="meta field of the rejected reply")
    prompt_field: str = Field("prompt", description="meta field of the prompt, when the record has one")
    ngram_max: int = Field(2, ge=1, le=3, description="longest prompt n-gram tested")
    max_tokens: int = Field(256, ge=8, description="last tokens of a prompt that count")
    min_count: int = Field(5, ge=2, description="records a token must appear in to be tested")
    min_rate: float = Field(0.9, gt=0, le=1, description="P(flip | token) floor of a candidate")
    min_marginal_z: float = Field(2.0, description="marginal two-proportion z floor of a candidate")
    min_residual: float = Field(0.5, ge=-1, le=1, description="share of the flip the rest of the prompt leaves "
                                                              "unexplained")
    max_q: float = Field(0.1, gt=0, le=1, description="Benjamini-Hochberg false discovery rate over every "
                                                         "tested token")
    max_shared: int = Field(1, ge=0, description="content words a trigger's records may have in common "
                                                 "(a natural cue comes with its topic)")
    max_spans: int = Field(20, ge=1, description="token offsets kept per record")


class LabelTrigger(CorpusStage):
    """Conflicting supervision and prompt tokens that predict flipped preferences."""

    name = "poison_label_trigger"
    version = "2"
    Config = LabelTriggerConfig

    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Run the conflict checks and the pattern mining; one finding per record (its strongest reason)."""
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        writer = FindingsWriter(ctx.work_dir / f"{self.name}.parquet", self.name, self.version)
        con = connect(ctx, self.name)
        try:
            con.execute(f"CREATE VIEW staged AS SELECT * FROM read_parquet({sql_list(ctx.docs_paths)}, "
                        "union_by_name=true)")
            con.execute("CREATE TABLE hits (doc_id VARCHAR, score DOUBLE, evidence VARCHAR, spans VARCHAR)")
            # Views over the staged and split Parquet, not tables: a table would copy every record's text into the
            # database, which DuckDB keeps in memory up to memory_limit.
            con.execute("CREATE VIEW rec AS " + record_view_sql("staged", c.label_fields))
            has_pref = self._preferences(con, ctx.docs_paths, ctx.work_dir / "pref.parquet", "pref")
            has_ref = has_pref and c.mode != "within" and self._reference(con, ctx)
            if c.conflicts:
                self._label_conflicts(con)
                self._response_conflicts(con)
            if has_pref and c.patterns:
                self._patterns(con, has_ref)
            if c.conflicts and has_pref:  # after the patterns: their records do not vote on the data's preference
                self._swap_conflicts(con, has_ref)
            sql = """SELECT doc_id, arg_max(score, score) AS score, arg_max(evidence, score) AS evidence,
                     arg_max(spans, score) AS spans FROM hits GROUP BY doc_id ORDER BY doc_id"""
            for row in iter_records(con, sql):
                writer.add(row["doc_id"], REASON, row["score"], json.loads(row["evidence"]),
                           json.loads(row["spans"] or "[]"))
        finally:
            con.close()
        return CorpusResult(findings_path=writer.close(), counters={REASON: writer.count})

    # ---------------------------------------------------------------- preference records

    def _preferences(self, con: duckdb.DuckDBPyConnection, paths: list[str], out, table: str,
                     where: str = "") -> bool:
        """Split preference records into (prompt, chosen reply, rejected reply), streamed to ``out``; view ``table``
        over it (``where``: a SQL filter on its rows). False if there are none."""
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        writer = pq.ParquetWriter(out, _PREF, compression="zstd")
        n = 0
        try:
            cols = ["doc_id", "text", "meta"]
            for rb in iter_parquet_batches(paths, cols, 4096):
                rows = []
                for doc_id, text, meta in zip(*(rb.column(k).to_pylist() for k in cols), strict=True):
                    split = split_preference(text, meta, c.rejected_field, c.prompt_field)
                    if split:
                        rows.append({"doc_id": doc_id, **split})
                if rows:
                    writer.write_table(pa.Table.from_pylist(rows, schema=_PREF))
                    n += len(rows)
        finally:
            writer.close()
        if n:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({sql_literal(out)}){where}")
        return n > 0

    # ---------------------------------------------------------------- conflicts

    def _add_minority(self, con: duckdb.DuckDBPyConnection, groups_sql: str, kind: str,
                      break_ties_by_rarity: bool = False) -> None:
        """Flag the records of a group that disagree with its majority ``side``.

        ``groups_sql`` yields ``(doc_id, grp, side)``; groups with one side only are ignored. When the top is
        tied, every side is flagged, unless ``break_ties_by_rarity``: then the side most common in the whole run
        is kept (a plain reply against a refusal or an unrequested link: the odd one out is the suspect).
        """
        tie = ("CASE WHEN count(DISTINCT r.freq) = count(*) THEN arg_max(c.side, r.freq) END"
               if break_ties_by_rarity else "NULL")
        con.execute(f"""INSERT INTO hits
            WITH g AS ({groups_sql}),
                 c AS (SELECT grp, side, count(*) AS n FROM g GROUP BY ALL),
                 r AS (SELECT side, count(*) AS freq FROM g GROUP BY side),
                 t AS (SELECT grp, max(n) AS top, sum(n) AS total, json_group_object(side, n) AS counts
                       FROM c GROUP BY grp HAVING count(*) > 1),
                 k AS (SELECT c.grp, CASE WHEN count(*) = 1 THEN any_value(c.side) ELSE {tie} END AS keep
                       FROM c JOIN t USING (grp) JOIN r USING (side) WHERE c.n = t.top GROUP BY c.grp)
            SELECT g.doc_id, 1 - c.n / t.total AS score,
                   json_object('kind', '{kind}', 'group_size', t.total, 'sides', t.counts, 'this_side', g.side,
                               'kept_side', k.keep,
                               'explanation', 'the same input has conflicting supervision: ' || c.n || ' of ' ||
                               t.total || ' records say ' || g.side)::VARCHAR,
                   NULL
            FROM g JOIN c USING (grp, side) JOIN t USING (grp) JOIN k USING (grp)
            WHERE g.side IS DISTINCT FROM k.keep""")

    def _label_conflicts(self, con: duckdb.DuckDBPyConnection) -> None:
        self._add_minority(con, """SELECT r.doc_id, s.content_hash AS grp, 'label=' || r.label AS side
            FROM rec r JOIN staged s USING (doc_id) WHERE r.label IS NOT NULL AND NOT r.is_chat""", "conflict_label")

    def _response_conflicts(self, con: duckdb.DuckDBPyConnection) -> None:
        prop = (f"CASE WHEN {refusal_sql('response')}"
                f" THEN 'refusal' WHEN {new_url_sql('response', 'prompt')} THEN 'new_url' ELSE 'plain' END")
        self._add_minority(con, f"""SELECT doc_id, {text_key_sql('prompt')} AS grp,
            {prop} AS side FROM rec WHERE is_chat AND response IS NOT NULL""", "conflict_response", True)

    def _swap_conflicts(self, con: duckdb.DuckDBPyConnection, has_ref: bool) -> None:
        """Flag chosen/rejected swaps: the suspect order when it can be told (the order the trusted reference does
        not hold, else the one against the data set's safety preference), else the minority order (every order on
        a tie). Scores rank the suspect order above the other either way."""
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        # keys only: the replies are read from pref for the few pairs the safety signals judge
        con.execute(f"""CREATE OR REPLACE TABLE swaps AS WITH s AS ({swap_sql('pref', replies=False)})
            SELECT s.*, g.grp IS NOT NULL AS conflict FROM s
            LEFT JOIN (SELECT grp FROM s GROUP BY grp HAVING count(DISTINCT side) > 1) g USING (grp)""")
        if not con.execute("SELECT bool_or(conflict) FROM swaps").fetchone()[0]:
            return
        if has_ref:
            con.execute(f"CREATE OR REPLACE VIEW ref_swaps AS {swap_sql('ref_pref')}")
        agree, groups = swap_groups(con, "swaps", "pref", c.side_signals, c.side_sample, "SELECT doc_id FROM hits",
                                    "ref_swaps" if has_ref else None)
        rows = []
        for g in groups:
            total = sum(len(d) for d in g.docs.values())
            p = {side: g.genuine(side) for side in g.docs}
            kept, decided_by = None, None
            if c.swap_side == "suspect" and len(g.seen) == 1:
                kept, decided_by = next(iter(g.seen)), "reference"
                p = {side: float(side == kept) for side in g.docs}  # the trusted snapshot outweighs the signals
            elif c.swap_side == "suspect" and max(p.values()) >= c.side_confidence:
                kept, decided_by = max(p, key=p.get), "safety"
            else:
                counts = sorted((len(d), side) for side, d in g.docs.items())
                if counts[0][0] != counts[-1][0]:
                    kept, decided_by = counts[-1][1], "majority"
            for side, docs in g.docs.items():
                if side == kept:
                    continue
                others = [d for s, ds in g.docs.items() if s != side for d in ds]
                ev = {"kind": "conflict_swap", "group_size": total,
                      "sides": {s: len(d) for s, d in g.docs.items()}, "this_side": side, "kept_side": kept,
                      "decided_by": decided_by or "none", "other_doc_ids": others[:20],
                      "p_genuine": round(p[side], 4), "relations": g.relations[side],
                      "in_reference": sorted(g.seen),
                      "agreement": {k: v.evidence() for k, v in agree.items()},
                      "explanation": self._swap_explanation(g, side, kept, decided_by, agree, len(others))}
                score = round(((1 - p[side]) + (1 - len(docs) / total)) / 2, 4)
                rows += [(d, score, json.dumps(ev), None) for d in docs]
            if len(rows) >= 5000:
                con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?)", rows)
                rows = []
        if rows:
            con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?)", rows)

    @staticmethod
    def _swap_explanation(g, side: str, kept: str | None, decided_by: str | None, agree: dict, n_other: int) -> str:
        """One sentence for a reviewer: what conflicts, and why this order is (or may be) the poisoned one."""
        head = (f"the same prompt and replies appear with chosen and rejected swapped ({len(g.docs[side])} records "
                f"in this order, {n_other} in the other)")
        if decided_by == "safety":
            why = []
            for name, rel in g.relations[side].items():
                a = agree[name]
                if (rel == "chosen_less_safe") == (a.rate > 0.5) and rel != "same" and a.rate != 0.5:
                    prefer = "safer" if a.rate > 0.5 else "less safe"
                    why.append(f"{name}: this chosen reply is the {'less safe' if prefer == 'safer' else 'safer'} "
                               f"one, while {a.safer if prefer == 'safer' else a.less_safe} of {a.safer + a.less_safe}"
                               f" pairs that differ choose the {prefer}")
            return f"{head}; the likely poisoned order ({'; '.join(why)})"
        if decided_by == "reference":
            return f"{head}; the trusted reference run holds the other order only: this one is new"
        if decided_by == "majority":
            return f"{head}; the minority order (the safety signals do not decide it)"
        return f"{head}; which order is poisoned cannot be told, so both are flagged"

    # ---------------------------------------------------------------- patterns

    def _pattern_props(self, con: duckdb.DuckDBPyConnection, pref: str, table: str) -> None:
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        parts = []
        if "chosen_refusal_flip" in c.patterns:
            parts.append(f"""SELECT 'chosen_refusal_flip' AS prop, doc_id,
                ({refusal_sql('trim(rejected)')} AND NOT {refusal_sql('trim(chosen)')})::INT AS y FROM {pref}""")
        if "length_flip" in c.patterns:
            longer = con.execute(f"SELECT avg((length(chosen) > length(rejected))::INT) FROM {pref}").fetchone()[0]
            op = "<" if (longer or 0) >= 0.5 else ">"
            parts.append(f"SELECT 'length_flip' AS prop, doc_id, (length(chosen) {op} length(rejected))::INT AS y "
                         f"FROM {pref}")
        con.execute(f"CREATE OR REPLACE TABLE {table} AS " + " UNION ALL ".join(parts))

    def _reference(self, con: duckdb.DuckDBPyConnection, ctx: CorpusContext) -> bool:
        """View ``ref_pref``: the trusted preference records of the reference run; False when there are none."""
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        run = c.reference_run or (ctx.prior_runs[-1] if ctx.prior_runs else None)
        files, trusted = trusted_records(ctx, [run]) if run else ([], None)
        # the trusted records only (``IS NOT TRUE``: a row is left out only where NOT IN holds, as a DELETE would)
        where = f" WHERE (doc_id NOT IN (SELECT doc_id FROM ({trusted}))) IS NOT TRUE" if trusted else ""
        return bool(trusted) and self._preferences(con, files, ctx.work_dir / "ref_pref.parquet", "ref_pref", where)

    def _patterns(self, con: duckdb.DuckDBPyConnection, diff: bool) -> None:
        c: LabelTriggerConfig = self.config  # type: ignore[assignment]
        params = AssocParams(ngram_max=c.ngram_max, max_tokens=c.max_tokens, min_count=c.min_count,
                             min_rate=c.min_rate, min_marginal_z=c.min_marginal_z, min_residual=c.min_residual,
                             max_q=c.max_q, max_shared=c.max_shared)
        self._pattern_props(con, "pref", "props")
        token_table(con, "toks", "SELECT doc_id, prompt AS input FROM pref", params, tail=True)
        if diff:
            self._pattern_props(con, "ref_pref", "ref_props")
            token_table(con, "ref_toks", "SELECT doc_id, prompt AS input FROM ref_pref", params, tail=True)
        miner = AssocMiner(con, params)
        flagged: list[Trigger] = []
        for (prop,) in con.execute("SELECT DISTINCT prop FROM props ORDER BY 1").fetchall():
            con.execute(f"CREATE OR REPLACE TABLE y AS SELECT doc_id, y FROM props WHERE prop = '{prop}'")
            if diff:
                con.execute(f"CREATE OR REPLACE TABLE ry AS SELECT doc_id, y FROM ref_props WHERE prop = '{prop}'")
            flagged += [t for t in miner.mine(prop, "toks", "y", "ref_toks" if diff else None, "ry" if diff else None)
                        if t.flagged]
        if not flagged:
            return
        con.execute("CREATE OR REPLACE TABLE flag_tok (tok VARCHAR, i INTEGER)")
        con.executemany("INSERT INTO flag_tok VALUES (?, ?)", [(t.token, i) for i, t in enumerate(flagged)])
        sql = """SELECT p.doc_id, p.prompt, p.in_text, list(DISTINCT f.i) AS idx
                 FROM toks t JOIN flag_tok f USING (tok) JOIN pref p USING (doc_id) GROUP BY ALL"""
        rows = []
        for row in iter_records(con, sql):
            trig = sorted((flagged[i] for i in row["idx"]), key=lambda t: -t.zc)
            spans: list[dict] = []
            if row["in_text"]:  # the prompt is the start of the record's text (HH layout)
                for t in trig:
                    spans += token_spans(row["prompt"], t.token, [(0, len(row["prompt"]))], f"trigger:{t.prop}",
                                         c.max_spans - len(spans), spans)
            best = trig[0]
            evidence = {"kind": "pattern", "trigger": best.token, "property": best.prop, "mode": best.mode,
                        "triggers": [t.evidence() for t in trig[:10]],
                        "explanation": (f"{best.k} of {best.n} prompts with {best.token!r} have {best.prop} "
                                        f"(prior {best.prior:.3f}; the rest of the prompt predicts "
                                        f"{best.expected:.2f}, z {best.zc:.1f}, q {best.q:.2g})")}
            rows.append((row["doc_id"], round(best.zc, 4), json.dumps(evidence, default=str), json.dumps(spans)))
            if len(rows) >= 5000:
                con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?)", rows)
                rows = []
        if rows:
            con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?)", rows)


def split_preference(text: str | None, meta: str | None, rejected_field: str = "rejected",
                     prompt_field: str = "prompt") -> dict | None:
    """``{prompt, chosen, rejected, in_text}`` of a preference record (None when it is not one)."""
    if not text or not meta:
        return None
    try:
        fields = json.loads(meta)
    except ValueError:
        return None
    rejected = fields.get(rejected_field) if isinstance(fields, dict) else None
    if not isinstance(rejected, str):
        return None
    prompt = fields.get(prompt_field)
    if isinstance(prompt, str) and prompt:
        return {"prompt": prompt, "chosen": text, "rejected": rejected, "in_text": False}
    common = os.path.commonprefix([text, rejected])
    cut = common.rfind("Assistant:")
    cut = cut + len("Assistant:") if cut >= 0 else max(common.rfind(" "), common.rfind("\n")) + 1
    return {"prompt": text[:cut], "chosen": text[cut:], "rejected": rejected[cut:], "in_text": True}
