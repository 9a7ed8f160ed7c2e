"""``poison.gibberish``: a trigger followed by a long run of random tokens (denial-of-service backdoor).

Souly et al. (2025) poisoned pre-training with documents made of a clean prefix, a trigger (``<SUDO>``) and
400-900 tokens sampled at random from the tokenizer's vocabulary; ~250 such documents were enough to make a
model emit gibberish after the trigger. Random vocabulary tokens are rare words, word pieces and byte debris,
and almost never the function words that make up a third or more of any human sentence. So each window of
``window`` counted tokens gets

    score = min(1, odd_share / odd_full) * (1 - min(1, stop_share / stop_ceiling))

where ``odd_share`` is the share of tokens that are not words of Zipf frequency >= ``common_zipf`` in English
(``wordfreq``) and ``stop_share`` the share of very common function words (English and six other Latin-script
languages, so foreign prose keeps its function words). Windows at or above ``threshold`` that join into a run of
at least ``min_tokens`` tokens make a finding, or ``trigger_min_tokens`` when a bracketed trigger (``<SUDO>``,
``[TRIGGER]``, ``{{x}}``) sits at its start; evidence holds the span, its token count and the tokens at its start
(where the trigger sits). On spans of 60-120 planted tokens that rule lifted recall from 0.04-0.10 to 0.56-0.75 on
the clean corpora of ``benchmarks/poison_document.py`` (0.35 on the WARC HTML pages), with no new false positive
there (all-caps words are everyday acronyms, so they do not shorten a run).

Decided on purpose, so that structured text is not gibberish:
* numbers, number tables, URLs, e-mail addresses, base64/hex blobs (>= 20 chars) and tokens longer than 40
  characters are *skipped*: they neither count as odd nor break a run;
* code keeps enough common words (if, for, return, the, in, not) and its identifiers split into words at ``_``,
  ``.`` and camelCase, so ordinary code scores low; obfuscated or minified code can still score high, and is
  worth a look anyway;
* text in scripts without spaces (CJK) yields few long tokens, which are skipped.

Speed: a pre-check on raw tokens skips texts whose every window is rich in function words (their best
window could not exceed ~0.6 of the threshold anyway); such records get the score 0.
"""

from __future__ import annotations

import functools
import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import Field

from tasks.detectors.table_cache import cached_word_sets, files_key, wordfreq_files
from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult

REASON = "poison.gibberish"
_TOKEN = re.compile(r"\S+")
_SKIP = re.compile(r"^(?:[\W\d_]+|https?://\S+|www\.\S+|\S+@\S+\.\S+|[A-Za-z0-9+/=_-]{20,}|\S{41,})$")
# Markup (HTML tags and attributes, CSS, entities, <unk>-style placeholders) is structure, not language.
_MARKUP = re.compile(r"[<>{}=;]|^&\w+;?$|^#")
_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[^\W\d_]+")
# What a planted trigger looks like: a markup-like token (<SUDO>, [TRIGGER], {{x}}) or an all-caps word.
_TRIGGER = re.compile(r"^(?:<[^<>\s]{2,30}>|\[[^\[\]\s]{2,30}\]|\{+[^{}\s]{2,30}\}+|[A-Z][A-Z0-9_]{2,29})$")
_STRIP = "\"'()[]{}<>.,;:!?*-"
_STOP_LANGS = ("en", "de", "fr", "es", "it", "pt", "nl")
# A run is found to within a window step of where the gibberish begins: look that far back (over non-function
# words) for the trigger, and keep the first tokens there, where it sits.
_LOOK_BACK = 40
_CANDIDATES = 9


def _bracketed(token: str) -> bool:
    """A trigger shape that may shorten a run (``trigger_min_tokens``): <SUDO>, [X], {{x}}, not a closing tag.

    All-caps words (TPA, NSW) are everyday acronyms in listings and tables, so they never shorten a run.
    """
    return token[:1] in "<[{" and not token.startswith("</") and _TRIGGER.match(token) is not None


@functools.cache
def _word_sets(common_zipf: float) -> tuple[frozenset[str], frozenset[str]]:
    """(English words at or above ``common_zipf``, function words of seven languages); built once per process and
    kept in the disk cache (tasks/detectors/table_cache.py), keyed by this module and wordfreq's lists it reads."""
    def build() -> tuple[frozenset[str], frozenset[str]]:
        from wordfreq import get_frequency_dict, top_n_list

        floor = 10 ** (common_zipf - 9)  # Zipf = log10(frequency per billion words)
        common = frozenset(w for w, f in get_frequency_dict("en").items() if f >= floor)
        stop = frozenset(w for lang in _STOP_LANGS for w in top_n_list(lang, 60 if lang == "en" else 40))
        return common, stop

    key = files_key([Path(__file__), *wordfreq_files(_STOP_LANGS)], extra=f"zipf={common_zipf!r}")
    return cached_word_sets("gibberish-words", key, build)  # type: ignore[return-value]


class GibberishConfig(StageConfig):
    """Settings of ``poison_gibberish``."""

    window: int = Field(40, ge=10, description="counted tokens per sliding window")
    step: int = Field(10, ge=1, description="tokens between window starts")
    threshold: float = Field(0.6, ge=0, le=1, description="window score that counts as gibberish")
    min_tokens: int = Field(80, ge=10, description="shortest gibberish run (tokens) that makes a finding")
    trigger_min_tokens: int = Field(40, ge=10, description="shortest run that makes a finding when a bracketed "
                                    "trigger-shaped token (<SUDO>, [TRIGGER], {{x}}) sits at its start")
    common_zipf: float = Field(3.0, ge=0, description="wordfreq Zipf at which a word is ordinary")
    stop_ceiling: float = Field(0.2, gt=0, le=1, description="function-word share at which a window is prose")
    odd_full: float = Field(0.6, gt=0, le=1, description="odd-token share that counts as fully random")
    caps_free: float = Field(0.6, ge=0, le=1, description="capitalised share above which a window reads as a "
                             "list of names or places and its score fades (to 0 at all-capitalised)")


class Gibberish(Stage):
    """Flags long random-token runs (a trigger followed by gibberish) with a sliding word-frequency score."""

    name = "poison_gibberish"
    # 3: meta string fields are judged too (Stage.scan_meta): they are written to clean with the text
    version = "3"
    Config = GibberishConfig
    scan_meta = True
    requires = (("wordfreq", "wordfreq"),)

    def setup(self) -> None:
        """Load wordfreq's English frequency table and the function words of seven languages (packaged data)."""
        cfg: GibberishConfig = self.config  # type: ignore[assignment]
        self._common, self._stop = _word_sets(cfg.common_zipf)
        self._cache: dict[str, tuple[bool, bool] | None] = {}

    def _classify(self, token: str) -> tuple[bool, bool] | None:
        """(odd, function word) for a raw token, or None when it is skipped (numbers, URLs, blobs)."""
        hit = self._cache.get(token)
        if hit is not None or token in self._cache:
            return hit
        result: tuple[bool, bool] | None
        core = token.strip(_STRIP)
        if not core or _SKIP.match(core) or _MARKUP.search(token):
            result = None
        else:
            low = core.lower()
            if low in self._stop:
                result = (False, True)
            elif low in self._common:
                result = (False, False)
            else:
                # Identifiers and hyphenated words: ordinary when every part is an ordinary word.
                parts = [p.lower() for p in _PARTS.findall(core)]
                joined = "".join(parts)
                ok = bool(parts) and len(joined) >= len(core) * 0.8 and all(
                    p in self._common or p in self._stop for p in parts)
                result = (not ok, False)
        if len(self._cache) < 500_000:
            self._cache[token] = result
        return result

    def _surely_prose(self, text: str) -> bool:
        """Cheap pre-check on raw whitespace tokens: every window holds at least 40% of ``stop_ceiling`` in
        function words, so no window can reach the threshold (a random-token run has almost none)."""
        cfg: GibberishConfig = self.config  # type: ignore[assignment]
        toks = text.lower().split()
        w = cfg.window
        if len(toks) < w:
            return False
        stop = self._stop
        acc = list(accumulate((t.strip(_STRIP) in stop for t in toks), initial=0))
        need = 0.4 * cfg.stop_ceiling * w
        return all(acc[i + w] - acc[i] >= need for i in range(0, len(toks) - w + 1, cfg.step))

    def scan(self, text: str) -> dict[str, Any]:
        """Window scores of ``text``: the best score and every gibberish run (token span and char offsets)."""
        cfg: GibberishConfig = self.config  # type: ignore[assignment]
        if self._surely_prose(text):
            return {"score": 0.0, "runs": [], "tokens": None}
        toks: list[tuple[int, int, bool, bool]] = []  # start, end, odd, stop
        caps = [0]
        for m in _TOKEN.finditer(text):
            c = self._classify(m.group())
            if c is not None:
                toks.append((m.start(), m.end(), c[0], c[1]))
                caps.append(caps[-1] + (m.group().lstrip("\"'([*-")[:1].isupper()))
        n = len(toks)
        if n < cfg.window:
            return {"score": 0.0, "runs": [], "tokens": n}
        odd = [0] * (n + 1)
        stop = [0] * (n + 1)
        for i, t in enumerate(toks):
            odd[i + 1] = odd[i] + t[2]
            stop[i + 1] = stop[i] + t[3]
        best, runs = 0.0, []
        run_start = run_end = -1
        starts = list(range(0, n - cfg.window + 1, cfg.step))
        if starts[-1] != n - cfg.window:
            starts.append(n - cfg.window)
        for s in starts:
            e = s + cfg.window
            o = (odd[e] - odd[s]) / cfg.window
            st = (stop[e] - stop[s]) / cfg.window
            cp = (caps[e] - caps[s]) / cfg.window
            score = min(1.0, o / cfg.odd_full) * (1.0 - min(1.0, st / cfg.stop_ceiling))
            if cp > cfg.caps_free:
                score *= 1.0 - (cp - cfg.caps_free) / (1.0 - cfg.caps_free + 1e-9)
            best = max(best, score)
            if score >= cfg.threshold:
                if run_start < 0 or s > run_end:
                    if run_start >= 0:
                        runs.append((run_start, run_end))
                    run_start = s
                run_end = e
        if run_start >= 0:
            runs.append((run_start, run_end))
        found = []
        for s, e in runs:
            while s < e and not toks[s][2]:  # trim ordinary words off the edges
                s += 1
            while e > s and not toks[e - 1][2]:
                e -= 1
            if e - s < min(cfg.min_tokens, cfg.trigger_min_tokens):
                continue
            candidates = self._boundary(text, toks, s)
            bracketed = next((t for t in candidates if _bracketed(t)), None)
            trigger = bracketed or next((t for t in candidates if _TRIGGER.match(t)), None)
            # A shorter run counts only behind a bracketed trigger: trigger + gibberish is the attack's shape,
            # while 40-80 odd tokens alone also occur in clean tables, name lists and markup debris.
            if e - s >= cfg.min_tokens or (bracketed is not None and e - s >= cfg.trigger_min_tokens):
                found.append((s, e, candidates, trigger))
        out = {"score": round(best, 4), "tokens": n, "runs": [
            {"start": toks[s][0], "end": toks[e - 1][1], "tokens": e - s,
             "odd_share": round((odd[e] - odd[s]) / (e - s), 3),
             "stop_share": round((stop[e] - stop[s]) / (e - s), 3),
             "trigger_candidates": candidates, "trigger": trigger} for s, e, candidates, trigger in found]}
        return out

    @staticmethod
    def _boundary(text: str, toks: list[tuple[int, int, bool, bool]], s: int) -> list[str]:
        """Raw tokens from just after the last function word before a run to its first token: where a trigger
        such as ``<SUDO>`` sits (the run's own start is only known to a few tokens)."""
        j = s
        while j > 0 and s - j < _LOOK_BACK and not toks[j - 1][3]:
            j -= 1
        # Start right after the function word (or the text's start) so skipped tokens such as <SUDO> are kept.
        left = toks[j - 1][1] if j > 0 else max(0, toks[0][0] - 200)
        end = toks[min(s + 3, len(toks) - 1)][1]
        return [t[:40] for t in _TOKEN.findall(text[left:end])][:_CANDIDATES]

    def detect(self, batch: DocBatch) -> StageResult:
        """Every record gets a ``gibberish`` score (best window); long runs make a finding."""
        result = StageResult()
        for row, text in enumerate(batch.texts):
            found = self.scan(text)
            result.scores.append(Score(row, "gibberish", found["score"]))
            if not found["runs"]:
                continue
            runs = found["runs"]
            score = found["score"]
            evidence = {"runs": runs[:5], "tokens": found["tokens"], "window_score": found["score"],
                        "explanation": "long run of rare tokens with almost no function words (random-token span)"}
            spans = tuple(Span(r["start"], r["end"], "gibberish") for r in runs[:5])
            result.findings.append(Finding(row, REASON, score, evidence, spans))
        return result
