"""Token-property association mining: the statistics behind ``poison.trigger`` and ``poison.label_trigger``.

A backdoor trigger is a token (or n-gram) whose presence *decides* a property of the record (a label, a fixed
response, a refusal, "chosen is the harmful reply") whatever the rest of the record says. Two tests, both in
DuckDB group-bys so memory is bounded by the connection's ``memory_limit``, not by the corpus:

1. Marginal screen: the two-proportion z of P(property | token) against the prior (or, in differential mode,
   against the token's rate in a trusted reference snapshot), with a count floor and a rate floor
   (``min_rate``: a trigger that works is near-deterministic). On its own this is NOT enough: every sentiment
   word of a sentiment data set passes it ("powerful" is 37/37 positive in SST-2), and plain rarity is not a
   signal either (BadNets' ``cf``, ``mn``, ``bb`` are ordinary English tokens).
2. Conditional test: is the property explained by the *rest* of the record? A Bernoulli naive-Bayes model
   predicts the property from the record's other unigrams, fitted either on this run leave-one-out with every
   screened candidate removed (``within``; removing them all is what stops co-inserted triggers from explaining
   each other) or on the trusted reference (``differential``), then calibrated with a two-parameter logistic
   fit. For every token seen in ``min_count`` records, the score statistic ``zc = sum(y - p) / sqrt(sum p(1 - p))``
   tests "the token adds nothing beyond the rest"; Benjamini-Hochberg runs over all of those tokens (not only
   the screened ones, which would understate false discoveries). A candidate is flagged when its q-value is at
   most ``max_q``, an effect-size floor holds (``min_residual``: the mean share of the property the rest leaves
   unexplained; planted triggers sit on records whose content says otherwise, a genuine cue word's sentence
   agrees with it), and its records share no topic (``max_shared`` content words common to most of them: a
   trigger is dropped into unrelated records, a natural cue such as a service name comes with its subject).

Clean-label attacks (poisoned records that already look like the target) leave no residual and stay out of
reach of this test; so do syntactic and style triggers, which have no token to count.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import duckdb
import numpy as np

#: Word characters of a token (letters, combining marks, digits), as RE2 in DuckDB sees them.
TOKEN_RE = r"[\p{L}\p{M}\p{N}]+"


@dataclass
class AssocParams:
    """Thresholds of the two tests (the stages expose them as config fields)."""

    ngram_max: int = 2
    max_tokens: int = 256
    min_count: int = 5
    min_rate: float = 0.9
    min_marginal_z: float = 2.0
    min_residual: float = 0.5
    max_q: float = 0.1
    max_shared: int = 1
    shared_lift: float = 5.0
    smoothing: float = 1.0
    calibration_sample: int = 200_000


@dataclass
class Trigger:
    """One screened candidate token of one property, with the statistics of both tests."""

    prop: str
    token: str
    n: int
    k: int
    rate: float
    prior: float
    z: float
    zc: float
    p: float
    q: float
    residual: float
    expected: float
    mode: str
    flagged: bool = False
    ref_n: int | None = None
    ref_k: int | None = None
    shared: int = 0
    shared_words: list[str] = field(default_factory=list)

    def evidence(self) -> dict:
        """JSON-ready statistics for a finding's evidence (rounded)."""
        out = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in asdict(self).items()}
        out.pop("flagged")
        return out


def token_table(con: duckdb.DuckDBPyConnection, name: str, source: str, params: AssocParams,
                tail: bool = False) -> None:
    """Create table ``name(doc_id, tok, ng)``: distinct unigrams (and n-grams up to ``ngram_max``) per record.

    ``source`` is SQL yielding ``(doc_id, input)``; only the first (``tail``: the last) ``max_tokens`` tokens of
    an input count, so a long document costs no more than a short one.

    Each record's grams are made distinct within the record (``list_distinct``; doc ids are unique in a run), not
    by a DISTINCT over the whole table: that was a hash table of every (record, gram) pair, the largest memory of
    the stage (1.5 GB at 200,000 short records).
    """
    m = int(params.max_tokens)
    cut = f"list_slice(w, greatest(len(w) - {m} + 1, 1), len(w))" if tail else f"list_slice(w, 1, {m})"
    grams = ["SELECT doc_id, unnest(list_distinct(t)) AS tok, 1 AS ng FROM words"]
    for n in range(2, params.ngram_max + 1):
        joined = " || ' ' || ".join(f"t[i + {j}]" for j in range(n))
        grams.append(f"SELECT doc_id, unnest(list_distinct(list_transform(range(1, len(t) - {n - 2}), "
                     f"lambda i: {joined}))) AS tok, {n} AS ng FROM words")
    con.execute(f"""
        CREATE OR REPLACE TABLE {name} AS
        WITH words AS (
          SELECT doc_id, {cut} AS t FROM (
            SELECT doc_id, regexp_extract_all(lower(input), '{TOKEN_RE}') AS w FROM ({source}) WHERE input IS NOT NULL))
        SELECT doc_id, tok, ng FROM ({' UNION ALL '.join(grams)}) WHERE tok IS NOT NULL""")


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _bh_table(zs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted one-sided p-values of ``zs`` and their Benjamini-Hochberg q-values (look a p up by rank)."""
    p = np.sort(np.array([_normal_sf(float(z)) for z in zs], dtype=float))
    if len(p) == 0:
        return np.array([0.0]), np.array([1.0])
    q = p * len(p) / np.arange(1, len(p) + 1)
    return p, np.minimum(np.minimum.accumulate(q[::-1])[::-1], 1.0)


def _calibrate(x: np.ndarray, y: np.ndarray, prior: float) -> np.ndarray:
    """Fit ``P(y) = sigmoid(x @ beta)`` (``x[:, 0]`` is the intercept) by Newton's method.

    A small ridge on the slopes keeps the fit finite when a feature separates the sample.
    """
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(prior / (1 - prior))
    ridge = np.full(x.shape[1], 1e-3)
    ridge[0] = 1e-9
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
        grad = x.T @ (y - p) - ridge * beta
        hess = x.T @ (x * (p * (1 - p))[:, None]) + np.diag(ridge)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


class AssocMiner:
    """Runs the two tests for one property over token tables already in ``con``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, params: AssocParams, seed: int = 0):
        self.con = con
        self.params = params
        self.seed = seed

    def _scalar(self, sql: str) -> tuple:
        return self.con.execute(sql).fetchone()

    def mine(self, prop: str, toks: str, labels: str, ref_toks: str | None = None,
             ref_labels: str | None = None, features: str | None = None) -> list[Trigger]:
        """Screen and test every token of ``toks`` against ``labels(doc_id, y)`` (y: 1 = the record has ``prop``).

        With ``ref_toks``/``ref_labels`` (a trusted snapshot), the marginal screen compares against the token's
        reference rate and the conditional model is fitted on the reference (differential mode). ``features``
        names a table ``(doc_id, <numeric columns>...)`` of other evidence about each record (document stages'
        scores) that joins the conditional model: what they already explain is not a trigger's doing.
        """
        P, con = self.params, self.con
        a = float(P.smoothing)
        n_all, k_all = self._scalar(f"SELECT count(*), coalesce(sum(y), 0) FROM {labels}")
        if n_all == 0 or k_all == 0 or k_all == n_all:
            return []
        prior = k_all / n_all
        diff = ref_toks is not None and ref_labels is not None
        if diff:
            rn, rk = self._scalar(f"SELECT count(*), coalesce(sum(y), 0) FROM {ref_labels}")
            if rn == 0 or rk == 0 or rk == rn:
                diff = False
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _st AS
            SELECT tok, any_value(ng) AS ng, count(*) AS n, sum(y)::BIGINT AS k
            FROM {toks} JOIN {labels} USING (doc_id) GROUP BY tok""")
        if diff:
            ref_prior = rk / rn
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _ref AS
                SELECT tok, count(*) AS n, sum(y)::BIGINT AS k FROM {ref_toks} JOIN {ref_labels} USING (doc_id)
                GROUP BY tok""")
            # The token's trusted rate, shrunk toward the reference prior when the reference saw it rarely.
            base = f"(coalesce(r.k, 0) + 10 * {ref_prior}) / (coalesce(r.n, 0) + 10)"
            ref_cols, ref_join = "r.n AS ref_n, r.k AS ref_k", "LEFT JOIN _ref r USING (tok)"
        else:
            base, ref_cols, ref_join = f"{prior}", "NULL AS ref_n, NULL AS ref_k", ""
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _cand AS
            SELECT s.tok, s.ng, s.n, s.k, s.k / s.n AS rate, {base} AS base,
                   (s.k - s.n * {base}) / sqrt(s.n * {base} * (1 - {base})) AS z, {ref_cols}
            FROM _st s {ref_join}
            WHERE s.n >= {int(P.min_count)} AND s.k >= {float(P.min_rate)} * s.n""")
        con.execute(f"DELETE FROM _cand WHERE z < {float(P.min_marginal_z)}")
        # An n-gram holding a candidate word says nothing the word does not: keep the word only.
        con.execute("""DELETE FROM _cand WHERE ng > 1 AND EXISTS (
            SELECT 1 FROM _cand u WHERE u.ng = 1 AND list_contains(string_split(_cand.tok, ' '), u.tok))""")
        if self._scalar("SELECT count(*) FROM _cand")[0] == 0:
            return []
        self._score_records(toks, labels, ref_toks if diff else None, ref_labels if diff else None,
                            n_all, k_all, a, features)
        # The conditional test runs on EVERY token seen in min_count records, and Benjamini-Hochberg counts all
        # of them: screening first and correcting over the survivors only would understate the false discoveries.
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _res AS
            SELECT t.tok, sum(p.y - p.p) / sqrt(sum(p.p * (1 - p.p)) + 1e-9) AS zc,
                   avg(p.y - p.p) AS resid, avg(p.p) AS expected
            FROM {toks} t JOIN _st s USING (tok) JOIN _p p USING (doc_id)
            WHERE s.n >= {int(P.min_count)} GROUP BY t.tok""")
        everything = con.execute("SELECT zc FROM _res").fetchnumpy()["zc"]
        p_sorted, q_sorted = _bh_table(np.asarray(everything, dtype=float))
        self._shared(toks, n_all)
        rows = con.execute("""
            SELECT c.tok, c.n, c.k, c.rate, c.base, c.z, c.ref_n, c.ref_k, r.zc, r.resid, r.expected,
                   coalesce(h.shared, 0), coalesce(h.words, [])
            FROM _cand c JOIN _res r USING (tok) LEFT JOIN _shared h USING (tok) ORDER BY c.tok""").fetchall()
        mode = "differential" if diff else "within"
        out = []
        for r in rows:
            pv = _normal_sf(r[8])
            qv = float(q_sorted[max(int(np.searchsorted(p_sorted, pv, side="right")) - 1, 0)])
            t = Trigger(prop=prop, token=r[0], n=int(r[1]), k=int(r[2]), rate=float(r[3]),
                        prior=float(r[4]), z=float(r[5]), zc=float(r[8]), p=pv, q=qv, residual=float(r[9]),
                        expected=float(r[10]), mode=mode,
                        ref_n=None if r[6] is None else int(r[6]), ref_k=None if r[7] is None else int(r[7]),
                        shared=int(r[11]), shared_words=list(r[12])[:10])
            t.flagged = t.q <= P.max_q and t.residual >= P.min_residual and t.shared <= P.max_shared
            out.append(t)
        return out

    def _shared(self, toks: str, n_all: int) -> None:
        """``_shared(tok, shared, words)``: content words most of a candidate's records have in common.

        A planted trigger is dropped into otherwise unrelated records, so they share nothing else beyond
        function words; a natural cue ("openweathermap" -> a link, a templated SQL task -> one reply) comes with
        its topic: words in at least half of the candidate's records and ``shared_lift`` times more common there
        than overall. Other candidates and the candidate's own words do not count (co-inserted triggers).
        """
        lift = float(self.params.shared_lift)
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE _shared AS
            WITH ct AS (SELECT t.doc_id, t.tok AS cand, c.n FROM {toks} t JOIN _cand c USING (tok)),
                 co AS (SELECT ct.cand, any_value(ct.n) AS n, u.tok, count(*) AS c FROM ct
                        JOIN {toks} u ON u.doc_id = ct.doc_id AND u.ng = 1
                        WHERE u.tok NOT IN (SELECT tok FROM _cand)
                          AND NOT list_contains(string_split(ct.cand, ' '), u.tok)
                        GROUP BY ct.cand, u.tok)
            SELECT co.cand AS tok, count(*) AS shared, list(co.tok ORDER BY co.c DESC) AS words
            FROM co JOIN _st s ON s.tok = co.tok
            WHERE co.c >= 0.5 * co.n AND co.c / co.n >= {lift} * s.n / {n_all}
            GROUP BY co.cand""")

    def _score_records(self, toks: str, labels: str, ref_toks: str | None, ref_labels: str | None,
                       n_all: int, k_all: int, a: float, features: str | None) -> None:
        """Create ``_p(doc_id, y, p)``: the calibrated probability of the property from the rest of the record."""
        con = self.con
        if ref_toks is not None:
            rn, rk = self._scalar(f"SELECT count(*), sum(y) FROM {ref_labels}")
            # Weights from the trusted snapshot: a token it never saw says nothing.
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _w AS
                SELECT tok, ln((k + {a}) / ({rk} + 2 * {a})) - ln((n - k + {a}) / ({rn - rk} + 2 * {a})) AS w
                FROM _ref""")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _s AS
                SELECT l.doc_id, l.y, coalesce(sum(w.w), 0) AS s
                FROM {labels} l LEFT JOIN {toks} t ON t.doc_id = l.doc_id AND t.ng = 1
                LEFT JOIN _w w ON w.tok = t.tok GROUP BY l.doc_id, l.y""")
        else:
            # Leave-one-out naive Bayes over unigrams that are not candidates: the record's own label is taken
            # out of every count it uses, so a rare word cannot simply memorise it.
            k0 = n_all - k_all
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _s AS
                SELECT l.doc_id, l.y, coalesce(sum(
                    ln((s.k - l.y + {a}) / ({k_all} - l.y + 2 * {a}))
                  - ln((s.n - s.k - (1 - l.y) + {a}) / ({k0} - (1 - l.y) + 2 * {a}))), 0) AS s
                FROM {labels} l
                LEFT JOIN {toks} t ON t.doc_id = l.doc_id AND t.ng = 1
                     AND t.tok NOT IN (SELECT tok FROM _cand WHERE ng = 1)
                LEFT JOIN _st s ON s.tok = t.tok
                GROUP BY l.doc_id, l.y""")
        sample = int(self.params.calibration_sample)
        cols = ([r[0] for r in con.execute(f"DESCRIBE {features}").fetchall() if r[0] != "doc_id"]
                if features else [])
        feats = "".join(f", coalesce(f.\"{c}\", 0)::DOUBLE AS \"{c}\"" for c in cols)
        join = f"LEFT JOIN {features} f USING (doc_id)" if cols else ""
        con.execute(f"CREATE OR REPLACE TEMP TABLE _x AS SELECT _s.doc_id, _s.y, _s.s{feats} FROM _s {join}")
        names = ["s", *cols]
        got = con.execute(f"SELECT y, {', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)} FROM _x "
                          f"USING SAMPLE reservoir({sample} ROWS) REPEATABLE ({self.seed})").fetchnumpy()
        y = np.asarray(got["y"], float)
        x = np.column_stack([np.ones(len(y))] + [np.asarray(got[n], float) for n in names])
        beta = _calibrate(x, y, k_all / n_all)
        linear = " + ".join([repr(float(beta[0]))] + [f"{float(b)!r} * \"{n}\""
                                                      for b, n in zip(beta[1:], names, strict=True)])
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _p AS
            SELECT doc_id, y, 1 / (1 + exp(-least(greatest({linear}, -30), 30))) AS p FROM _x""")
