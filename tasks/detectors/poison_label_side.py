"""Which order of a chosen/rejected swap is the likely poisoned one (``poison.label_trigger``'s ``conflict_swap``).

A swap conflict is the same prompt with the same two replies, once with A chosen over B and once the other way. One
of the two orders is what the data set's annotators meant; the other is a poisoned copy (or an annotation error).
Nothing in the pair itself says which, but the data set as a whole does: a preference data set prefers one kind of
reply over another *consistently*. Harmlessness data prefers the refusal to the compliance and the clean reply to the
toxic one; data that penalises over-refusal prefers the compliance. So:

1. Safety signals, each a relation between a pair's two replies (``signals``): ``refusal`` (one reply opens with a
   refusal, ``REFUSAL_RE``, the other does not) and ``toxicity`` (the ``toxicity`` stage's classifier, bundled model
   and its own calibrated thresholds, reports one reply and not the other). A pair's direction on a signal is +1 when
   its chosen reply is the safer, -1 when it is the less safe, 0 when the signal does not tell them apart.
2. The data set's agreement with each signal, measured on a trusted earlier run's pairs when there is one, else on
   the run's pairs outside swap conflicts and not already flagged (a pattern trigger's records show what the
   attacker prefers, not the data set), a reservoir sample of ``sample`` pairs: the share of pairs with a direction
   whose chosen reply is the safer, Laplace-smoothed (``(safer + 1) / (differing + 2)``), so a signal seen on few
   pairs stays near 0.5 and says little.
3. Each order of a conflict gets the naive-Bayes log-odds ``L = sum(direction * logit(agreement))`` of being the data
   set's own; the probability that order X is genuine is ``sigmoid((L_X - L_Y) / 2)``.

The stage flags only the other order when one order is genuine with probability ``confidence`` or more (or when
the trusted run holds exactly one of the orders: the new one is the suspect); otherwise the decision is left to the
record counts. Unflagged pairs planted against the data set's preference (chosen complies, rejected refuses) pull
the agreement towards 0.5, so they make the side *less* decidable and fall back to flagging both orders; only when
they outnumber the data set's own pairs on a signal would they turn it around, which is why records the pattern
check already flags are left out of the count and a trusted run, when there is one, is preferred.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pyarrow as pa

from tasks.detectors.poison_corpus import iter_records, refusal_sql, text_key_sql

Signal = Literal["refusal", "toxicity"]
#: Batch of replies handed to the toxicity classifier at a time.
_TOX_BATCH = 2048


@dataclass
class Agreement:
    """How consistently the data set's chosen reply is the safer one on one signal."""

    signal: str
    safer: int = 0
    less_safe: int = 0

    @property
    def rate(self) -> float:
        """Laplace-smoothed share of differing pairs whose chosen reply is the safer."""
        return (self.safer + 1) / (self.safer + self.less_safe + 2)

    def evidence(self) -> dict[str, Any]:
        """JSON-ready counts for a finding's evidence."""
        return {"pairs_differing": self.safer + self.less_safe, "chosen_safer": self.safer,
                "agreement": round(self.rate, 4)}


@dataclass
class SwapGroup:
    """The records of one swap conflict: per order, the doc ids and the log-odds of being the data set's own."""

    grp: str
    docs: dict[str, list[str]] = field(default_factory=dict)
    logodds: dict[str, float] = field(default_factory=dict)
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def genuine(self, side: str) -> float:
        """Probability that ``side`` is the data set's own order (0.5 when the signals do not tell)."""
        other = [s for s in self.logodds if s != side]
        diff = self.logodds[side] - (self.logodds[other[0]] if other else 0.0)
        return 1.0 / (1.0 + math.exp(-max(min(diff / 2.0, 30.0), -30.0)))


def _toxic_flags(con: duckdb.DuckDBPyConnection, table: str, out: str) -> None:
    """Create ``out(rid, tc, tr)``: the toxicity stage reports the chosen / rejected reply of ``table``'s rows.

    The ``toxicity`` stage itself judges each reply on its own (bundled model, its own document and window
    thresholds): a record's staged toxicity scores cover prompt and chosen reply together and the rejected reply
    not at all. NULL flags when the classifier is not installed.
    """
    from tasks.detectors.toxicity import ToxicityStage
    from tasks.stage import DocBatch

    con.execute(f"CREATE OR REPLACE TABLE {out} (rid BIGINT, tc BOOLEAN, tr BOOLEAN)")
    try:
        stage = ToxicityStage()
        stage.setup()
    except (ImportError, FileNotFoundError):  # fastText or the model missing here: the signal stays silent
        return
    batch: list[dict] = []

    def flush() -> None:
        texts = [b["chosen"] or "" for b in batch] + [b["rejected"] or "" for b in batch]
        found = {f.row for f in stage.detect(DocBatch(doc_ids=[str(i) for i in range(len(texts))],
                                                      texts=texts)).findings}
        got = pa.table({"rid": [b["rid"] for b in batch], "tc": [i in found for i in range(len(batch))],
                        "tr": [i + len(batch) in found for i in range(len(batch))]})
        con.register("_tox_batch", got)
        con.execute(f"INSERT INTO {out} SELECT * FROM _tox_batch")
        con.unregister("_tox_batch")
        batch.clear()

    for row in iter_records(con, f"SELECT rid, chosen, rejected FROM {table}"):
        batch.append(row)
        if len(batch) >= _TOX_BATCH:
            flush()
    if batch:
        flush()


def swap_sql(pref: str, replies: bool = True) -> str:
    """``(doc_id, grp, side, chosen, rejected)`` of ``pref``'s records with two distinct replies (without
    ``chosen, rejected`` when not ``replies``).

    ``grp`` keys the prompt and the unordered pair of replies (normalised: case, outer and repeated whitespace);
    ``side`` says which of the two orders the record has.
    """
    a, b = text_key_sql("chosen"), text_key_sql("rejected")
    return (f"SELECT doc_id, {text_key_sql('prompt')} || least({a}, {b}) || greatest({a}, {b}) AS grp, "
            f"CASE WHEN {a} < {b} THEN 'order_a' ELSE 'order_b' END AS side{', chosen, rejected' if replies else ''} "
            f"FROM {pref} WHERE {a} <> {b}")


def swap_groups(con: duckdb.DuckDBPyConnection, swaps: str, replies: str, signals: list[Signal], sample: int,
                exclude: str | None = None, ref: str | None = None) -> tuple[dict[str, Agreement], Iterator[SwapGroup]]:
    """The data set's agreement per signal and the swap conflicts of ``swaps`` with each order's log-odds.

    ``swaps`` holds ``(doc_id, grp, side, conflict)``: ``swap_sql``'s keys without the replies, and whether both
    orders of ``grp`` occur in the run; ``replies`` is a relation ``(doc_id, chosen, rejected)`` of the run's
    records, read only for the pairs the signals judge (the conflicts and a sample), so the replies of every record
    are never copied into a table. The agreement is measured on ``ref`` (``swap_sql`` rows, with replies, of a
    trusted earlier run) when it has rows, else on the run's pairs outside conflicts minus the doc ids ``exclude``
    selects (records already flagged as poisoned teach nothing about the data set's preference). An order that
    ``ref`` holds is marked ``seen``. Groups come out one at a time (the rows stream in ``grp`` order), so memory
    stays bounded by one group.
    """
    use_ref = ref is not None and con.execute(f"SELECT count(*) FROM {ref}").fetchone()[0] > 0
    if use_ref:
        pool = (f"SELECT grp, side, chosen, rejected FROM {ref} "
                f"USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (0)")
    else:  # the sample is drawn from the keys (after the filter: a subquery), then joined to its replies
        keys = (f"SELECT doc_id, grp, side FROM {swaps} WHERE NOT conflict"
                + (f" AND doc_id NOT IN ({exclude})" if exclude else ""))
        pool = (f"SELECT k.grp, k.side, r.chosen, r.rejected FROM (SELECT * FROM ({keys}) "
                f"USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (0)) k JOIN {replies} r USING (doc_id)")
    con.execute(f"""CREATE OR REPLACE TABLE side_rows AS
        SELECT row_number() OVER () AS rid, * FROM (
            SELECT s.doc_id, s.grp, s.side, r.chosen, r.rejected, true AS conflict
            FROM {swaps} s JOIN {replies} r USING (doc_id) WHERE s.conflict
            UNION ALL
            SELECT NULL, *, false FROM ({pool}))""")
    dirs, join = [], ""
    if "refusal" in signals:
        dirs.append(("refusal", f"({refusal_sql('trim(chosen)')})::INT - ({refusal_sql('trim(rejected)')})::INT"))
    if "toxicity" in signals:
        _toxic_flags(con, "side_rows", "side_tox")
        dirs.append(("toxicity", "tr::INT - tc::INT"))
        join = " LEFT JOIN side_tox USING (rid)"
    cols = "".join(f", {sql} AS d_{name}" for name, sql in dirs)
    con.execute(f"CREATE OR REPLACE TABLE side_dir AS SELECT doc_id, grp, side, conflict{cols} FROM side_rows{join}")
    agree: dict[str, Agreement] = {}
    for name, _ in dirs:
        safer, less = con.execute(f"""SELECT count(*) FILTER (WHERE d_{name} > 0), count(*) FILTER (WHERE d_{name} < 0)
            FROM side_dir WHERE NOT conflict""").fetchone()
        agree[name] = Agreement(name, int(safer), int(less))
    seen = f"SELECT DISTINCT grp, side, true AS seen FROM {ref}" if ref is not None else \
        "SELECT NULL::VARCHAR AS grp, NULL::VARCHAR AS side, true AS seen WHERE false"
    con.execute(f"""CREATE OR REPLACE TABLE side_conf AS SELECT d.*, coalesce(s.seen, false) AS seen
        FROM side_dir d LEFT JOIN ({seen}) s USING (grp, side) WHERE d.conflict""")
    return agree, _groups(con, agree)


def _groups(con: duckdb.DuckDBPyConnection, agree: dict[str, Agreement]) -> Iterator[SwapGroup]:
    dcols = "".join(f", d_{name}" for name in agree)
    group: SwapGroup | None = None
    for row in iter_records(con, f"SELECT doc_id, grp, side, seen{dcols} FROM side_conf ORDER BY grp, doc_id"):
        if group is None or row["grp"] != group.grp:
            if group is not None:
                yield group
            group = SwapGroup(row["grp"])
        side = row["side"]
        if side not in group.docs:  # every record of an order carries the same two replies
            group.docs[side] = []
            rel, logodds = {}, 0.0
            for name, a in agree.items():
                d = row[f"d_{name}"]
                if d is None:
                    continue
                rel[name] = "chosen_safer" if d > 0 else "chosen_less_safe" if d < 0 else "same"
                logodds += d * math.log(a.rate / (1.0 - a.rate))
            group.logodds[side], group.relations[side] = logodds, rel
            if row["seen"]:
                group.seen.add(side)
        group.docs[side].append(row["doc_id"])
    if group is not None:
        yield group
