"""Where each copy is headed, so that a duplicate is never removed in favour of a copy that does not reach clean.

A record's *level* is the outcome its own findings give it under the policy, ignoring dedup: 0 clean (no finding,
or only ``flag``/``redact`` actions), 1 quarantined (a ``quarantine`` action), 2 dropped (a ``drop`` action), the
same precedence as the router's. The dedup stages use it in two ways:

* Keeper choice (this run): copies are ranked by level first, then by the keep policy. A cluster that has a copy
  headed for clean keeps that copy; the copies headed for quarantine or drop become its duplicates (their findings
  stay in ``decisions``). A copy is only ever a duplicate of a copy of the same or a lower level, so a duplicate of
  a quarantined copy is itself quarantined or dropped by its own findings: nothing that would have reached clean is
  removed in favour of a record that does not, and whichever order the copies come in, the clean one is kept.
* Earlier runs: an earlier run's copy counts as clean when it is in clean now: its outcome there was ``clean``, or
  ``sieve release`` published it later (``kept_run_id`` then names the release, whose ``documents`` row is the
  clean copy). A copy that run quarantined or dropped (and no release published) is level 1 or 2: this run's copy
  headed for clean is kept, not removed in its favour; a copy headed for quarantine may still point at it (a rerun
  of the same file does not queue a quarantined record for review again). A copy that was a duplicate in its run
  is no candidate (``GONE``). So a copy headed for clean is kept in this run when the earlier copy is pending or
  rejected; if a reviewer approves and releases that earlier copy later, both are in clean.

The levels of this run come from the staged document-stage findings (``write_levels``); corpus stages that run
after dedup (trigger mining, floods) can raise a level later, which ``tasks.corpus`` checks with ``overruled``
and, when a kept copy was overruled, answers by running the dedup stages again with every finding's levels.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import duckdb

from schemas import reasons
from tasks import duck
from tasks.catalog import sql_list
from tasks.duck import sql_literal

CLEAN, QUARANTINED, DROPPED = 0, 1, 2
#: Level of an earlier run's record that was a duplicate there: never a kept copy.
GONE = 3
_ACTION_LEVEL = {reasons.ACTION_DROP: DROPPED, reasons.ACTION_QUARANTINE: QUARANTINED}
#: SQL of an empty levels table.
EMPTY = "SELECT NULL::VARCHAR AS doc_id, NULL::TINYINT AS level, NULL::VARCHAR[] AS blocked_by LIMIT 0"


def level_name(expr: str) -> str:
    """SQL naming the outcome of the level ``expr`` (0, 1 or 2)."""
    return (f"CASE {expr} WHEN {CLEAN} THEN '{reasons.OUTCOME_CLEAN}' WHEN {QUARANTINED} THEN "
            f"'{reasons.OUTCOME_QUARANTINED}' ELSE '{reasons.OUTCOME_DROPPED}' END")


def action_level_sql(policy, found_reasons: list[str]) -> str:
    """SQL over columns ``reason`` and ``score`` giving each finding's level under ``policy`` (a ``PolicyConfig``).

    Decided per distinct reason in Python (``fnmatch`` as ``PolicyRule.matches``), so the SQL never re-implements
    the globs: only the rules' ``min_score`` conditions remain, in the rules' order (first match wins).
    """
    default = _ACTION_LEVEL.get(policy.default_action, CLEAN)
    whens = []
    for reason in sorted(set(found_reasons)):
        conds, last = [], default
        for rule in policy.rules:
            if not fnmatch.fnmatchcase(reason, rule.reason):
                continue
            lvl = _ACTION_LEVEL.get(rule.action, CLEAN)
            if rule.min_score is None:
                last = lvl
                break
            # as PolicyRule.matches: a NaN score meets no min_score (DuckDB's NaN >= x is true, Python's false)
            conds.append(f"WHEN score IS NULL OR (NOT isnan(score) AND score >= {float(rule.min_score)!r}) "
                         f"THEN {lvl}")
        expr = f"CASE {' '.join(conds)} ELSE {last} END" if conds else str(last)
        if expr != str(default):  # the ELSE gives it
            whens.append(f"WHEN {sql_literal(reason)} THEN {expr}")
    if not whens:
        return str(default)
    return f"(CASE reason {' '.join(whens)} ELSE {default} END)"


def write_levels(con: duckdb.DuckDBPyConnection, findings_files: list[str], policy, out: Path) -> str:
    """Write ``out``: (doc_id, level, blocked_by) of this run's records whose findings give them level 1 or 2.

    ``blocked_by`` lists the reasons whose action sets the level (sorted). Returns ``str(out)``.
    """
    files = [f for f in findings_files if Path(f).exists()]
    if not files:
        con.execute(f"COPY ({EMPTY}) TO {sql_literal(out)} (FORMAT parquet)")
        return str(out)
    src = f"SELECT doc_id, reason, score FROM read_parquet({sql_list(files)}, union_by_name=true)"
    found = [r[0] for r in con.execute(f"SELECT DISTINCT reason FROM ({src}) WHERE reason IS NOT NULL").fetchall()]
    level = action_level_sql(policy, found)
    if level == str(CLEAN):  # no finding can quarantine or drop a record (none, or only flag/redact findings)
        con.execute(f"COPY ({EMPTY}) TO {sql_literal(out)} (FORMAT parquet)")
        return str(out)
    con.execute(f"""COPY (
        WITH f AS (SELECT doc_id, reason, {level}::TINYINT AS level FROM ({src}))
        SELECT doc_id, max(level) AS level,
               list_sort(list_distinct(list(reason) FILTER (WHERE level > 0))) AS blocked_by
        FROM f GROUP BY doc_id HAVING max(level) > 0 ORDER BY doc_id
    ) TO {sql_literal(out)} (FORMAT parquet)""")
    return str(out)


def current_sql(levels_path: str | None) -> str:
    """SQL of this run's levels (doc_id, level, blocked_by); records not in it are level 0."""
    if not levels_path:
        return EMPTY
    return f"SELECT doc_id, level, blocked_by FROM read_parquet({sql_literal(levels_path)})"


def release_runs(lake: Path, dataset: str) -> list[str]:
    """Completed ``sieve release`` runs of ``dataset`` (not among a run's ``prior_runs``: they read no corpus)."""
    files = sorted((lake / "provenance" / "runs").glob("run=*/*.parquet"))
    if not files:
        return []
    con = duck.connect()
    try:
        return [r[0] for r in con.execute(
            "SELECT run_id FROM read_parquet(?, union_by_name=true) WHERE dataset = ? AND kind = 'release' "
            "AND status = 'completed' ORDER BY run_id", [[str(f) for f in files], dataset]).fetchall()]
    except duckdb.BinderException:  # runs written before the kind column: no release then
        return []
    finally:
        con.close()


def prior_sql(lake: Path, dataset: str, prior_runs: list[str]) -> str:
    """SQL of the earlier runs' records (run_id, doc_id, level, kept_run) from their ``documents`` provenance.

    ``level`` is 0 for a record in clean now (its run's outcome, or a later release), else its run's outcome's;
    ``kept_run`` is the run whose ``documents`` row holds the clean copy (the release for a released record).
    A duplicate of its run is ``GONE`` (3): it is in no output, so no copy may point at it (the persisted
    signatures hold one when exact dedup found a copy near dedup could not compare, an earlier run's made with
    other signature settings).
    """
    runs = list(prior_runs) + release_runs(lake, dataset)
    files = [str(p) for r in runs for p in sorted((lake / "provenance" / "documents" / f"run={r}").glob("*.parquet"))]
    if not files:
        return ("SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS doc_id, NULL::TINYINT AS level, "
                "NULL::VARCHAR AS kept_run LIMIT 0")
    docs = (f"SELECT run_id, doc_id, outcome, released_from FROM read_parquet({sql_list(files)}, "
            f"union_by_name=true)")
    return f"""
        WITH d AS ({docs}),
             rel AS (SELECT released_from AS run_id, doc_id, min(run_id) AS release_run FROM d
                     WHERE released_from IS NOT NULL AND outcome = 'clean' GROUP BY ALL)
        SELECT d.run_id, d.doc_id,
               (CASE WHEN d.outcome = 'clean' OR rel.release_run IS NOT NULL THEN 0
                     WHEN d.outcome = 'quarantined' THEN 1 WHEN d.outcome = 'dropped' THEN 2 ELSE 3 END)::TINYINT
                 AS level,
               CASE WHEN d.outcome <> 'clean' AND rel.release_run IS NOT NULL THEN rel.release_run
                    ELSE d.run_id END AS kept_run
        FROM d LEFT JOIN rel USING (run_id, doc_id)
        WHERE d.released_from IS NULL"""


def overruled(con: duckdb.DuckDBPyConnection, dup_files: list[str], levels_path: str, run_id: str) -> int:
    """How many duplicates have a kept copy of this run that ``levels_path`` gives a higher level than their own."""
    if not dup_files:
        return 0
    return int(con.execute(f"""
        WITH lv AS ({current_sql(levels_path)}),
             d AS (SELECT doc_id, duplicate_of FROM read_parquet({sql_list(dup_files)}, union_by_name=true)
                   WHERE coalesce(json_extract_string(evidence, '$.kept_run_id'), ?) = ?)
        SELECT count(DISTINCT d.doc_id) FROM d LEFT JOIN lv a ON a.doc_id = d.doc_id
             JOIN lv k ON k.doc_id = d.duplicate_of
        WHERE k.level > coalesce(a.level, 0)""", [run_id, run_id]).fetchone()[0])
