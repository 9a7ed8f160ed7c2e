"""Hidden Unicode at release time: an approved record does not carry a smuggled payload into clean.

A record quarantined for ``poison.unicode`` holds characters that render as nothing or reorder what a reader sees
(tag characters spelling hidden ASCII, bidi overrides, zero-width runs, variation-selector bytes, private-use
planes). The review app and ``sieve review show`` render them as visible code points, so what a reviewer approves
is the visible text; the approval is of the record, not of the payload riding in it (as with a secret in a record
approved despite it, ``tasks.review.release``).

So ``sieve release`` runs the quarantining run's ``poison_unicode`` stage (its ``stages.poison_unicode`` settings)
over each approved record's text (the joined messages of an instruct record) and meta values, and applies that
run's policy to what it finds, as the router would have:

* ``quarantine`` or ``drop`` (the default policy): the flagged characters are removed (the reviewer let the record
  in, not the characters), and the release writes a ``decisions`` row for the record under its own run id: stage
  ``release``, reason ``poison.unicode``, action ``redact``, evidence with the kinds, the number of characters
  removed, their code points and their offsets in the quarantined copy's text (``removed``) and meta fields;
* ``redact``: the finding's spans become placeholders (``<tag>``), as a run writes them to clean;
* ``flag``: they stay, as a run keeps them in clean.

Only what the detector flags is removed: a subdivision-flag emoji's tags, a zero-width joiner inside an emoji or a
Persian word, a bidi control beside right-to-left text stay. A run that switched the stage off removes nothing
(and a record it quarantined for another reason may still hold such characters, as its clean records do). A record
no stage read (``input.too_long``) is judged here for the first time, like the PII analysis of
``tasks.review.release_scan``.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

from schemas import reasons
from tasks.meta_text import walk_strings

STAGE = "poison_unicode"
UNICODE_REASON = "poison.unicode"
RELEASE_STAGE = "release"
REMOVE_ACTIONS = (reasons.ACTION_QUARANTINE, reasons.ACTION_DROP)
MAX_LISTED = 16  # removed runs listed in the evidence (all are counted)


@dataclass
class Removal:
    """What to remove from one record: sorted, disjoint ``[start, end)`` ranges of its text and of meta values."""

    text: list[tuple[int, int]] = field(default_factory=list)
    meta: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # leaf ordinal -> ranges
    kinds: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    codepoints: list[str] = field(default_factory=list)  # the first few (evidence lists MAX_LISTED of them)
    fields: list[str] = field(default_factory=list)
    score: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.text or self.meta)

    def evidence(self, detector: str) -> str:
        """The release's ``decisions.evidence`` (JSON): what was removed, never the characters themselves."""
        listed = [{"start": s, "end": e} for s, e in self.text[:MAX_LISTED]]
        return json.dumps({
            "explanation": "hidden Unicode removed by the release: " + ", ".join(sorted(self.kinds)),
            "kinds": self.kinds, "chars": self.chars, "runs": len(self.text) + sum(map(len, self.meta.values())),
            "codepoints": " ".join(self.codepoints[:MAX_LISTED]) + (" ..." if len(self.codepoints) > MAX_LISTED
                                                                     else ""),
            "removed": listed, "meta_fields": self.fields, "detector": detector,
            "offsets": "into the text of the quarantined copy (documents.released_from)",
        }, sort_keys=True)


def remove(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` without the characters of ``ranges`` (sorted, disjoint)."""
    if not ranges:
        return text
    parts, last = [], 0
    for s, e in ranges:
        parts.append(text[last:s])
        last = e
    parts.append(text[last:])
    return "".join(parts)


def shift(pos: int, ranges: list[tuple[int, int]]) -> int:
    """Where offset ``pos`` of the text lands once ``ranges`` are removed."""
    if not ranges:
        return pos
    gone = 0
    for s, e in ranges[: bisect.bisect_right(ranges, (pos, float("inf")))]:
        gone += min(e, pos) - s
    return pos - gone


class HiddenStripper:
    """Finds, with each quarantining run's own stage and policy, the hidden characters to remove from a record."""

    def __init__(self) -> None:
        self._by_config: dict[str, tuple[Any, Any] | None] = {}

    def _stage(self, config_json: str | None) -> tuple[Any, Any] | None:
        key = config_json or ""
        if key not in self._by_config:
            from schemas.config import PolicyConfig
            from tasks.registry import stage_class, switched_off

            config = json.loads(config_json or "{}")
            section = (config.get("stages") or {}).get(STAGE) or {}
            built = None
            if not switched_off(section):
                cls = stage_class(STAGE)
                cfg = tolerant(cls.Config, section)
                if cfg.enabled:
                    built = (cls(cfg), tolerant(PolicyConfig, config.get("policy") or {}))
            self._by_config[key] = built
        return self._by_config[key]

    def detector(self) -> str:
        """``name@version`` of the stage that judged (for ``decisions.detector_version``)."""
        from tasks.registry import stage_class

        cls = stage_class(STAGE)
        return f"{cls.name}@{cls.version}"

    def plan(self, rec: dict[str, Any]) -> Removal:
        """What to remove from ``rec`` (``text``, ``meta``, ``config_json``); empty when nothing (or the policy
        keeps the characters)."""
        out = Removal()
        built = self._stage(rec.get("config_json"))
        text = rec.get("text")
        if built is None or text is None:
            return out
        stage, policy = built
        # The stage's own hits and the characters they flag; payloads are not decoded (nothing here shows them)
        hits, text_ranges = stage.flagged(text, decode=False)
        # meta leaves with hits: ordinal, path, value, hits, the ranges they flag
        leaves: list[tuple[int, str, str, list[dict[str, Any]], list[tuple[int, int]]]] = []
        try:
            meta = json.loads(rec["meta"]) if rec.get("meta") else None
        except ValueError:
            meta = None
        for i, (path, _, _, value) in enumerate(walk_strings(meta)):
            found, ranges = stage.flagged(value, decode=False)
            if found:
                leaves.append((i, path, value, found, ranges))
        every = hits + [h for _, _, _, found, _ in leaves for h in found]
        if not every:
            return out
        from tasks.detectors.unicode_smuggling import SEVERITY

        out.score = max(SEVERITY[h["kind"]] for h in every)
        if policy.action_for(UNICODE_REASON, out.score) not in REMOVE_ACTIONS:
            return Removal()
        for h in every:
            out.kinds[h["kind"]] = out.kinds.get(h["kind"], 0) + 1
        out.text = text_ranges
        pieces = [(text, out.text)]
        for i, path, value, _, ranges in leaves:
            out.meta[i] = ranges
            out.fields.append("meta." + path)
            pieces.append((value, out.meta[i]))
        for value, ranges in pieces:
            for s, e in ranges:
                out.chars += e - s
                if len(out.codepoints) <= MAX_LISTED:
                    out.codepoints.extend(f"U+{ord(c):04X}" for c in value[s:e][:4])
        return out


def tolerant(model: Any, section: dict[str, Any]) -> Any:
    """``model`` validated from ``section``; a run of another Sieve version may hold settings this one no longer
    takes, so failing that, from the keys it still knows, and failing that, its defaults. A release must neither
    fail on such a run (every release of the dataset would) nor skip what it judges."""
    from pydantic import ValidationError

    for attempt in (section, {k: v for k, v in section.items() if k in model.model_fields}, {}):
        try:
            return model.model_validate(attempt)
        except (ValidationError, ValueError, TypeError):
            continue
    return model()


def remove_from_messages(messages: list[dict[str, Any]], ranges: list[tuple[int, int]],
                         sep_len: int) -> list[dict[str, Any]]:
    """The messages with ``ranges`` (offsets into their joined text, ``sep_len`` characters between two) removed."""
    out, offset = [], 0
    for m in messages:
        content = m.get("content") or ""
        end = offset + len(content)
        local = [(max(s, offset) - offset, min(e, end) - offset) for s, e in ranges if s < end and e > offset]
        out.append({**m, "content": remove(content, local)})
        offset = end + sep_len
    return out


def remove_from_meta(meta_json: str, by_leaf: dict[int, list[tuple[int, int]]]) -> str:
    """The meta JSON with the ranges of each leaf removed (serialised as ``tasks.redact_meta`` writes it)."""
    meta = json.loads(meta_json)
    for i, (_, container, key, value) in enumerate(list(walk_strings(meta))):
        if by_leaf.get(i):
            if container is None:
                meta = remove(value, by_leaf[i])
            else:
                container[key] = remove(value, by_leaf[i])
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(meta, ensure_ascii=True, sort_keys=True)
    return text
