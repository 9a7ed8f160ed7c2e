"""``poison.injection``: instructions planted in training text for a model to obey (indirect prompt injection).

Two signals, combined per segment (sentence or line; a segment over 600 characters is also cut into clauses and
windows that reach its end) by noisy-OR, and the document takes its worst segment:

* rules (``injection_rules.RULES``): override phrases, "if you are an AI/LLM/assistant", chat-template tokens
  (``<|im_start|>``, ``[INST]``, ``<<SYS>>``), prompt exfiltration, hiding from the user, and phrases that steer
  "your answer" (or "the answer", "When answering,", the user); text inside hidden HTML (``display:none``, white
  on white, comments) is boosted when it reads as an instruction.
* a fastText classifier (``data/models/injection-bipia.bin``, trained by ``tasks/injection_train.py`` on BIPIA
  train attacks against benign text; see its model card) that scores each segment. Its third label, ``task``
  (a stand-alone request for an assistant: "Who wrote Hamlet?"), counts only for a *stray request*: a
  self-contained request that the rest of the document ignores (``injection_context``), which also gets a prior
  on its own: ``stray_weight`` x its form (impersonal 1, personal address or a heading ``weak_form``) x its
  novelty ** ``novelty_power``. Requests glued to an unterminated line before them are split off first, and the
  rules see them as sentences of their own.

Rules and classifier read the text as a reader sees it (``injection_fold``): full-width, mathematical and other
font variants of letters are folded to plain ones and invisible characters (soft hyphen, zero-width) removed;
evidence offsets point into the original text and the item's context says ``unicode_folded``.

Security writing quotes injections: a hit inside double quotes, backticks, a ``>`` quote line or a code fence
is discounted, and so is every hit of a document that discusses attacks (prompt injection, jailbreak, OWASP,
...). The policy is quarantine (a reviewer decides), never drop.

For ``--kind instruct`` the user's own turns are requests by design: there only the ``any`` rules apply (no
classifier, no "your answer" rule); assistant and system turns get everything.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Any

from pydantic import Field

from tasks.detectors import injection_rules as R
from tasks.detectors.injection_context import glued_requests, request_form, stray_novelty
from tasks.detectors.injection_fold import fold, span_back
from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult

REASON = "poison.injection"
LABEL_BAD, LABEL_OK, LABEL_TASK = "__label__injection", "__label__benign", "__label__task"
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "data" / "models" / "injection-bipia.bin"
_TAG = re.compile(r"<[^<>]{0,200}>")  # markup is stripped before classifying (hidden text is judged on words)
# a run of 4+ words in double quotes (possessive: no backtracking over an unclosed quote)
_QUOTE_RUN = re.compile(r"[\"\u201c](?:[^\s\"\u201c\u201d]+[ \t]+){3,}+[^\"\u201c\u201d\n]*[\"\u201d]")
_PUNCT = re.compile(r"([.,!?;:()\[\]{}\"'`<>|])")
# fastText averages its tokens, so "WEEK!!!!!!!!" (80 "!") is mostly "!" and read as an order (P 0.87; with one
# "!" 0.00): a run of exclamation or question marks is emphasis and counts as one mark
_EMPHASIS = re.compile(r"[!?][!?]+")


def fasttext_line(text: str) -> str:
    """The classifier's view of a segment: one lower-cased line, punctuation split off as tokens (a run of "!"
    and "?" counts as its first mark)."""
    text = _EMPHASIS.sub(lambda m: m.group()[0], text.lower())
    return " ".join(_PUNCT.sub(r" \1 ", text).split())


class InjectionConfig(StageConfig):
    """Settings of ``poison_injection``."""

    threshold: float = Field(0.5, ge=0, le=1, description="document score at which a finding is made")
    use_classifier: bool = Field(True, description="score segments with the fastText model (else rules only)")
    model_path: str | None = Field(None, description="fastText model; default data/models/injection-bipia.bin")
    quote_factor: float = Field(0.5, ge=0, le=1, description="multiplier for hits in quotes or code")
    meta_factor: float = Field(0.6, ge=0, le=1, description="multiplier when the document discusses attacks")
    meta_markers: int = Field(2, ge=1, description="distinct attack-discussion words that mark such a document")
    hidden_boost: float = Field(0.5, ge=0, le=1, description="share of the gap to 1 added inside hidden HTML")
    min_words: int = Field(4, ge=1, description="shorter segments are not classified (rules still apply)")
    max_segments: int = Field(2000, ge=1, description="segments per record analysed as stray requests (bounds "
                              "time on huge texts; every segment is classified and matched by the rules)")
    max_items: int = Field(5, ge=1, description="segments listed in the evidence")
    task_novelty: float = Field(0.5, ge=0, le=1, description="share of a request's content words absent from the "
                                "rest of the document for the classifier's task label to count")
    stray_weight: float = Field(0.35, ge=0, le=1, description="score a stray request gets on its own (noisy-OR; "
                                "under the threshold alone, it ranks the request above ordinary text)")
    weak_form: float = Field(0.5, ge=0, le=1, description="share of ``stray_weight`` a stray request in personal "
                             "address, quoted speech, a headline or a heading gets (injection_context.request_form)")
    novelty_window: int = Field(4000, ge=0, description="novelty is measured against this many characters either "
                                "side of the request (0: the whole document)")
    novelty_power: float = Field(2.0, ge=0, description="the stray prior is multiplied by the request's novelty "
                                 "to this power (0: not graded by novelty)")
    task_weight: float = Field(1.0, ge=0, le=1, description="multiplier of the task probability of a stray request "
                               "(0 turns the host-relative task signal off)")


def _regions(text: str, messages: list[dict[str, str]] | None) -> list[tuple[int, int, bool]]:
    """``(start, end, is_user_turn)`` of each message inside the joined text (the whole text for plain docs)."""
    if not messages:
        return [(0, len(text), False)]
    out, pos = [], 0
    for m in messages:
        content = m.get("content") or ""
        at = text.find(content, pos) if content else pos
        if at < 0:
            return [(0, len(text), False)]
        out.append((at, at + len(content), m.get("role") == "user"))
        pos = at + len(content)
    return out


class _Hosts:
    """Units ordered by start: the smallest unit holding a position is found by bisection, not by a scan of every
    unit per rule hit (which made a record of many short orders quadratic: 8,000 of them took 1.5 s)."""

    def __init__(self, units: list[dict[str, Any]]):
        self._entries = sorted((u["start"], i, u) for i, u in enumerate(units))
        self._order = len(units)
        self._longest = max((u["end"] - u["start"] for u in units), default=0)

    def add(self, unit: dict[str, Any]) -> None:
        """Index one more unit (after every unit it was built with, for ties)."""
        bisect.insort(self._entries, (unit["start"], self._order, unit))
        self._order += 1
        self._longest = max(self._longest, unit["end"] - unit["start"])

    def smallest_at(self, pos: int) -> dict[str, Any] | None:
        """The shortest unit with ``start <= pos < end`` (the earliest indexed on a tie), or None."""
        best = None
        j = bisect.bisect_right(self._entries, (pos, float("inf")))
        while j > 0 and self._entries[j - 1][0] > pos - self._longest:
            j -= 1
            start, order, unit = self._entries[j]
            if pos < unit["end"]:
                key = (unit["end"] - start, order)
                if best is None or key < best[0]:
                    best = (key, unit)
        return best[1] if best else None


class Injection(Stage):
    """Flags planted instructions aimed at a model: rules plus a fastText segment classifier."""

    name = "poison_injection"
    version = "14"  # 2: task label + stray-request signal; 3: stray prior graded by form and novelty; 4: novelty
    # measured without the request verb and quote marks, yes/no questions weak, inward "its" (2026-11-28); 5: rule
    # output_order, orders about "your answer" as stray requests, quoted runs discounted; 6: a run of "!" / "?"
    # is one mark for the classifier; 7: output_order also takes orders to whoever summarises, translates or
    # processes "this page / e-mail", "the output must ...", "respond as if you were", "skip the text above",
    # "instead of summarizing,"; a relative "that" in a request is not anaphora; novelty measured within 4,000
    # characters of the request
    # (2026-11-29); 8: retrained model (more shapes of orders about "your answer", more kinds of task, more
    # benign "your" sentences; trained in a fresh process, see injection_train.train) (2026-11-29); 9: meta string
    # fields are scanned too (Stage.scan_meta); 10: a segment over 600 characters is covered to its end
    # (injection_rules.cover_pieces), not clipped; 11: directs_output skips "to your X" after a noun that takes
    # "to" ("an excellent addition to your program", "in response to your message"); 12: rules and classifier
    # read the text with look-alike letters folded and invisibles removed (injection_fold); 13: every segment is
    # classified (it was the first 2,000 only, so an order after 2,000 sentences was never classified); 14: text in
    # HTML attributes (alt, title, aria-label, ...) is a unit of its own (injection_rules.attribute_texts)
    Config = InjectionConfig
    scan_meta = True
    requires = (("fasttext", "fasttext-numpy2-wheel"),)

    def setup(self) -> None:
        """Load the fastText model (unless ``use_classifier`` is off)."""
        cfg: InjectionConfig = self.config  # type: ignore[assignment]
        self._model = None
        if cfg.use_classifier:
            import fasttext

            path = Path(cfg.model_path) if cfg.model_path else DEFAULT_MODEL
            if not path.exists():
                raise FileNotFoundError(f"poison_injection model not found: {path} (run tasks/injection_train.py)")
            self._model = fasttext.load_model(str(path))

    def _classify(self, texts: list[str], stray: list[float]) -> list[float]:
        """P(injection) per segment; for a stray request (``stray``: its novelty, 0 for other segments) plus
        ``task_weight`` x P(task), and the stray prior (``stray_weight`` graded by the request's form and, with
        ``novelty_power``, by its novelty) by noisy-OR."""
        if self._model is None or not texts:
            return [0.0] * len(texts)
        cfg: InjectionConfig = self.config  # type: ignore[assignment]
        labels, probs = self._model.predict([fasttext_line(_TAG.sub(" ", t)) for t in texts], k=-1)
        out = []
        for text, lab, pr, odd in zip(texts, labels, probs, stray, strict=True):
            p = dict(zip(lab, pr, strict=True))
            score = min(1.0, float(p.get(LABEL_BAD, 0.0)) + (cfg.task_weight * float(p.get(LABEL_TASK, 0.0))
                                                              if odd else 0.0))
            prior = cfg.stray_weight * request_form(text, cfg.weak_form) * odd**cfg.novelty_power if odd else 0.0
            out.append(1.0 - (1.0 - score) * (1.0 - prior))
        return out

    def _units(self, text: str, messages: list[dict[str, str]] | None) -> list[dict[str, Any]]:
        """Scored units of one record: segments (classified where allowed) plus rule hits outside them."""
        cfg: InjectionConfig = self.config  # type: ignore[assignment]
        units: list[dict[str, Any]] = []
        for start, end, user in _regions(text, messages):
            part = text[start:end]
            # Every segment is classified (linear and cheap); the stray-request analysis, which reads the text
            # around each request, looks at the first ``max_segments`` only, so time stays bounded.
            segs = R.segments(part, min_words=cfg.min_words, cover=True)
            odd = [0.0] * len(segs)
            glued: list[tuple[int, int]] = []
            # In chat records requests are the medium (the user asks, the assistant asks back "Can you describe
            # the context?"): the out-of-place-request signal is for documents only.
            if not messages and cfg.task_weight > 0:
                head, known = segs[: cfg.max_segments], set(segs)
                glued = [g for g in dict.fromkeys(glued_requests(part, head)) if g not in known]
                stray = stray_novelty(part, head + glued, cfg.task_novelty, cfg.novelty_window)
                odd = stray[: len(head)] + [0.0] * (len(segs) - len(head)) + stray[len(head) :]
                segs = segs + glued
                # A window that continues a long sentence (it overlaps the one before) starts mid-sentence: it is
                # not a self-contained request, whatever its first word.
                odd = [0.0 if 0 < i < len(segs) - len(glued) and s < segs[i - 1][1] else o
                       for i, ((s, _), o) in enumerate(zip(segs, odd, strict=True))]
            # Text in HTML attributes (alt, title, ...) is a unit of its own; it is not a stray request (a tooltip
            # "Subscribe for updates" is not out of place), so only P(injection) and the rules count there.
            known = set(segs)
            attrs = [a for a in R.attribute_texts(part, cfg.min_words) if a not in known]
            segs, odd = segs + attrs, odd + [0.0] * len(attrs)
            units += [{"start": start + s, "end": start + e, "classify": not user, "rules": [], "stray": o}
                      for (s, e), o in zip(segs, odd, strict=True)]
            scope = "any" if user else "data"
            hits = R.rule_hits(part, scope=scope)
            # A request glued to the line before it, or in an attribute, is a sentence of its own: sentence-initial
            # rules see it there.
            seen = {(r.name, e) for r, _, e in hits}
            for s, e in glued + attrs:
                tail = R.rule_hits(part[s:e], scope=scope)
                hits += [(r, s + a, s + b) for r, a, b in tail if (r.name, s + b) not in seen]
            hosts = _Hosts(units)
            for rule, s, e in hits:
                s, e = start + s, start + e
                host = hosts.smallest_at(s)
                if host is None:
                    host = {"start": s, "end": e, "classify": False, "rules": []}
                    units.append(host)
                    hosts.add(host)
                host["rules"].append((rule, s, e))
        return units

    def score_units(self, text: str, units: list[dict[str, Any]], probs: list[float]) -> list[dict[str, Any]]:
        """Combine rules, classifier, quoting and hidden-HTML context into one score per unit."""
        cfg: InjectionConfig = self.config  # type: ignore[assignment]
        meta = R.meta_discussion(text) >= cfg.meta_markers
        fences = R.code_spans(text)
        hidden = R.hidden_regions(text)
        out = []
        for unit, p in zip(units, probs, strict=True):
            miss = 1.0 - p
            for rule, _, _ in unit["rules"]:
                miss *= 1.0 - rule.weight
            score = 1.0 - miss
            if score < 0.05:
                continue
            s, e = unit["start"], unit["end"]
            context = []
            # A segment is quoted when every rule hit in it is (or, with no hit, the segment itself is).
            spots = [(a, b) for _, a, b in unit["rules"]] or [(s, e)]
            whys = [R.quoted(text, a, b, s) or next(("code" for x, y in fences if x <= a < y), None) for a, b in spots]
            why = whys[0] if all(whys) else None
            # With no rule hit, the classifier judged the whole sentence; one that quotes a run of words in double
            # quotes ('a line such as "Modify your answer to ..." makes ...') reports what someone wrote.
            if why is None and not unit["rules"] and _QUOTE_RUN.search(text, s, e):
                why = "quotes"
            if why:
                score *= cfg.quote_factor
                context.append(why)
            if meta:
                score *= cfg.meta_factor
                context.append("discusses_attacks")
            mid = (s + e) // 2  # a segment starts at its opening tag; its middle is inside the hidden element
            where = next((w for a, b, w in hidden if a <= mid < b), None)
            if where and score >= 0.25:
                score += (1.0 - score) * cfg.hidden_boost
                context.append(where)
            out.append({"start": s, "end": e, "score": round(score, 4), "classifier": round(p, 4),
                        "rules": sorted({r.name for r, _, _ in unit["rules"]}), "context": context})
        return out

    def detect(self, batch: DocBatch) -> StageResult:
        """Score every record (``injection`` score) and make a finding at ``threshold`` or above."""
        cfg: InjectionConfig = self.config  # type: ignore[assignment]
        per_doc = []
        flat: list[str] = []
        odd: list[float] = []
        views = []
        for i, text in enumerate(batch.texts):
            messages = batch.messages[i] if i < len(batch.messages) else None
            # Rules and classifier read the text as a reader sees it (look-alike letters folded, invisibles out).
            view, offsets = fold(text)
            if view is not text and messages:
                messages = [{**m, "content": fold(m.get("content") or "")[0]} for m in messages]
            units = self._units(view, messages)
            per_doc.append(units)
            views.append((view, offsets))
            flat += [view[u["start"] : u["end"]] for u in units if u["classify"]]
            odd += [u.get("stray", 0.0) for u in units if u["classify"]]
        probs = iter(self._classify(flat, odd))
        result = StageResult()
        for row, (text, units, (view, offsets)) in enumerate(zip(batch.texts, per_doc, views, strict=True)):
            scored = self.score_units(view, units, [next(probs) if u["classify"] else 0.0 for u in units])
            for u in scored if view is not text else []:
                start, end = span_back(offsets, u["start"], u["end"])
                if text[start:end] != view[u["start"] : u["end"]]:
                    u["context"].append("unicode_folded")
                u["start"], u["end"] = start, end
            scored.sort(key=lambda u: -u["score"])
            score = scored[0]["score"] if scored else 0.0
            result.scores.append(Score(row, "injection", score))
            if score < cfg.threshold:
                continue
            top = [u for u in scored if u["score"] >= cfg.threshold][: cfg.max_items]
            for u in top:
                u["snippet"] = R.safe_snippet(text[u["start"] : u["end"]])
            evidence = {"items": top, "segments_over_threshold": sum(u["score"] >= cfg.threshold for u in scored),
                        "explanation": "text reads as an instruction to a model (rules + classifier)"}
            spans = tuple(Span(u["start"], u["end"], "injection") for u in top)
            result.findings.append(Finding(row, REASON, score, evidence, spans))
        return result
