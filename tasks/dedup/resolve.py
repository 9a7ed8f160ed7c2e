"""One ``duplicates`` row per record, pointing at a copy that is really kept.

Exact and near dedup each write their own rows, and a record can be a duplicate by both. Exact dedup points an
exact copy at the kept copy of its content (the first seen of those headed for the best outcome,
``tasks.dedup.levels``); near dedup points it at that copy's own kept copy. When the first copy is
itself a near duplicate (A kept, B a near copy of A, C an exact copy of B), the exact row says C -> B, and B goes
to no output: C would be removed in favour of a record that is not in clean. So a row whose kept copy is a duplicate
in this run ranks after one that points at a kept copy, and only then is the more certain method preferred.

A chain can remain when no row of a record avoids it (near dedup compares nothing with an earlier run whose
signatures were made with other settings, while exact dedup still finds the copy in that run): such a row is
followed to the end of its chain, so ``duplicate_of`` and the evidence's ``kept_doc_id``/``kept_run_id`` name the
kept copy, and the evidence says through which record (``via``). Chains end: exact rows point at a first-seen copy
or an earlier run, near rows at a copy ranking earlier in keep priority.
"""

from __future__ import annotations

import duckdb

#: When one record is a duplicate by several methods, the most certain one explains it.
METHOD_RANK = "CASE method WHEN 'exact' THEN 0 WHEN 'near' THEN 1 ELSE 2 END"
_MAX_HOPS = 64  # chains are one or two hops in practice; the bound only guards against a malformed input


def resolve_duplicates(con: duckdb.DuckDBPyConnection, dup_src: str, run_id: str) -> str:
    """Create the temp table ``dups`` (the columns of ``dup_src``, one row per ``doc_id``) and return its name.

    ``dup_src`` is a SELECT over every corpus stage's duplicate rows (``schemas.arrow.DUPLICATE_PAIRS``).
    """
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dup_all AS
        SELECT *, coalesce(json_extract_string(evidence, '$.kept_run_id'), ?) AS kept_run FROM ({dup_src})""",
                [run_id])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dups AS
        SELECT * EXCLUDE (rnk) FROM (
          SELECT a.*, row_number() OVER (
                   PARTITION BY a.doc_id
                   ORDER BY (a.kept_run = ? AND a.duplicate_of IN (SELECT doc_id FROM dup_all)), {METHOD_RANK},
                            a.duplicate_of) AS rnk
          FROM dup_all a)
        WHERE rnk = 1""", [run_id])
    con.execute("DROP TABLE dup_all")
    for _ in range(_MAX_HOPS):
        changed = con.execute("""
            UPDATE dups SET duplicate_of = t.duplicate_of, kept_run = t.kept_run,
                   evidence = json_merge_patch(dups.evidence, json_object(
                       'kept_doc_id', t.duplicate_of, 'kept_run_id', t.kept_run,
                       'verified_against', 'the first record of via (similarity is with it)',
                       'via', list_concat(coalesce(json_extract_string(dups.evidence, '$.via[*]'), []),
                                          [dups.duplicate_of])))::VARCHAR
            FROM dups t
            WHERE dups.kept_run = ? AND t.doc_id = dups.duplicate_of AND t.doc_id <> dups.doc_id""",
                              [run_id]).fetchone()[0]
        if not changed:
            break
    return "dups"
