"""Which copy of a near-duplicate cluster is kept: the keep policy, the keeper assignment and the rule's wording.

Every document gets a rank (its ``node``) in keep-priority order: earlier runs first (those whose copy is in clean
now first, then oldest run first, then input order), then this run's documents by their level (headed for clean,
then quarantine, then drop: ``tasks.dedup.levels``), then by the policy's key, ties broken by input order
(``ord``), so the order is total and the same for any shard size, shard order or task runner:

* ``first_seen``: input order alone.
* ``longest``: more characters first.
* ``source_priority``: the first glob of ``source_priority`` matching the record's ``source_uri`` (earlier pattern
  first; unmatched sources last).
* ``score``: higher value of a named stage's score first (``scores`` of the document stages; records without one
  last).

``assign_keepers`` walks the verified pairs ``(u, v)`` (``u < v``) in ascending ``u``: a document that is not
itself a duplicate keeps every not-yet-claimed ``v`` verified against it, unless ``u``'s level is higher than
``v``'s (an earlier run's quarantined copy never takes a copy headed for clean; within this run the order already
ensures it). Each duplicate is therefore verified against its kept copy directly: in a chain A~B~C with A and C
dissimilar, B goes to A and C stays (nothing merges A and C through B). Earlier runs' documents are never
duplicates (they were deduplicated when they ran).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from tasks.dedup.levels import level_name
from tasks.duck import sql_literal

POLICIES = ("first_seen", "longest", "source_priority", "score")


def source_rank_sql(patterns: list[str]) -> str:
    """SQL giving ``source_uri``'s rank in ``patterns`` (0-based; ``len(patterns)`` when none matches)."""
    if not patterns:
        return "0"
    whens = " ".join(f"WHEN source_uri GLOB {sql_literal(p)} THEN {i}" for i, p in enumerate(patterns))
    return f"CASE {whens} ELSE {len(patterns)} END"


def policy_key_sql(policy: str) -> str:
    """SQL of the policy's sort key over columns ``chars``, ``src_rank`` and ``score`` (smaller is kept first)."""
    if policy == "first_seen":
        return "0"
    if policy == "longest":
        return "-coalesce(chars, 0)"
    if policy == "source_priority":
        return "src_rank"
    if policy == "score":
        return "-coalesce(score, -1e308)"
    raise ValueError(f"unknown keep policy {policy!r}; valid policies: {', '.join(POLICIES)}")


def rule_sql(policy: str, score_label: str = "", n_patterns: int = 0) -> str:
    """SQL explaining why ``k`` (the kept copy) ranks before ``d`` (the duplicate), for the evidence JSON.

    Columns of ``k`` and ``d``: ``prior``, ``run_id``, ``kept_run`` (where an earlier copy is in clean), ``level``
    and ``blocked_by`` (``tasks.dedup.levels``), ``chars``, ``src_rank``, ``score``.
    """
    prior = ("'the kept copy is from the earlier run ' || k.run_id || CASE "
             "WHEN k.kept_run <> k.run_id THEN ', published since by sieve release ' || k.kept_run "
             "WHEN k.level > 0 THEN ' (' || " + level_name("k.level") + " || ' there; this copy would be ' || "
             + level_name("d.level") + " || ' too)' "
             "ELSE '' END || ': earlier runs win'")
    blocked = ("'its own findings make this copy ' || " + level_name("d.level") + " || ' (' || "
               "array_to_string(d.blocked_by, ', ') || ') and the kept copy ' || " + level_name("k.level")
               + " || ': the copy with the better outcome is kept'")
    order = "'the kept copy comes first in the input order'"
    if policy == "first_seen":
        why = order
    elif policy == "longest":
        why = (f"CASE WHEN k.chars > d.chars THEN printf('the kept copy is longer (%d vs %d characters)', "
               f"k.chars, d.chars) ELSE 'same length; ' || {order} END")
    elif policy == "source_priority":
        why = (f"CASE WHEN k.src_rank < d.src_rank THEN printf('the kept copy''s source ranks higher in "
               f"source_priority (pattern %d vs %s)', k.src_rank + 1, CASE WHEN d.src_rank >= {n_patterns} "
               f"THEN 'no pattern' ELSE 'pattern ' || (d.src_rank + 1) END) "
               f"ELSE 'same source priority; ' || {order} END")
    elif policy == "score":
        why = (f"CASE WHEN coalesce(k.score, -1e308) > coalesce(d.score, -1e308) THEN "
               f"printf('the kept copy has the higher {score_label} score (%.4f vs %s)', k.score, "
               f"coalesce(printf('%.4f', d.score), 'none')) ELSE 'same {score_label} score; ' || {order} END")
    else:
        raise ValueError(f"unknown keep policy {policy!r}; valid policies: {', '.join(POLICIES)}")
    return f"CASE WHEN k.prior THEN {prior} WHEN d.level > k.level THEN {blocked} ELSE {why} END"


def assign_keepers(edges: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], n_nodes: int,
                   n_prior: int, levels: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray,
                                                                                     np.ndarray]]:
    """Yield ``(duplicate, kept, matches)`` arrays from verified pairs streamed sorted by ``(u, v)``.

    ``levels``: each node's level (``tasks.dedup.levels``); a pair whose ``u`` has the higher level is skipped.
    Memory: one byte per node (who is already a duplicate), the levels, and one batch of pairs.
    """
    taken = np.zeros(n_nodes, dtype=bool)
    check = levels is not None and bool(len(levels)) and bool(levels.any())
    for u_arr, v_arr, m_arr in edges:
        dup: list[int] = []
        kept: list[int] = []
        sim: list[int] = []
        if check:  # a copy headed for a better outcome than u never goes to u
            ok = levels[u_arr] <= levels[v_arr]
            u_arr, v_arr, m_arr = u_arr[ok], v_arr[ok], m_arr[ok]
        for u, v, m in zip(u_arr.tolist(), v_arr.tolist(), m_arr.tolist(), strict=True):
            # u < v. A duplicate keeps nothing; v goes to the first (highest-priority) keeper verified with it.
            if taken[u] or taken[v] or v < n_prior:
                continue
            taken[v] = True
            dup.append(v)
            kept.append(u)
            sim.append(m)
        if dup:
            yield np.asarray(dup, np.int64), np.asarray(kept, np.int64), np.asarray(sim, np.int32)
