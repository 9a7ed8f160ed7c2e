"""PII analysis at release time for approved records that no stage ever read.

A record quarantined as ``input.too_long`` keeps its text but skips every document stage (that is why it is too
long), so it has no ``pii.*`` findings to redact when a reviewer approves it. Released as it was, its e-mail
addresses and secrets would enter the clean dataset unredacted, which the clean dataset promises never to hold.
``sieve release`` therefore runs the PII stage over such records first (with the quarantining run's ``stages.pii``
settings, and not at all when that run switched the stage off) and redacts what it finds like any other finding.
"""

from __future__ import annotations

import json
from typing import Any

from schemas import reasons
from tasks.review.release_unicode import tolerant
from tasks.stage import DocBatch, Stage

PII_STAGE = "pii"
WINDOW_CHARS = 100_000
WINDOWS_PER_BATCH = 4


def unscanned(rec: dict[str, Any]) -> bool:
    """Whether the document stages skipped this record although it has text to publish (``input.too_long``)."""
    return rec.get("text") is not None and reasons.INPUT_TOO_LONG in (rec.get("reasons") or [])


class ReleaseScanner:
    """Runs the PII stage over approved records the quarantining run never analysed; builds it once, lazily."""

    def __init__(self, lake_root: Any):
        self.lake_root = lake_root
        self._stages: dict[str, Stage | None] = {}

    def _stage(self, config_json: str | None) -> Stage | None:
        key = config_json or ""
        if key not in self._stages:
            from tasks.registry import stage_class, switched_off  # lazy: presidio is heavy

            section = (json.loads(config_json or "{}").get("stages") or {}).get(PII_STAGE) or {}
            stage = None
            if not switched_off(section):
                cls = stage_class(PII_STAGE)
                stage = cls(tolerant(cls.Config, section))  # a run of another version: its known settings
                stage.lake_root = self.lake_root
            self._stages[key] = stage
        return self._stages[key]

    def add_findings(self, recs: list[dict[str, Any]]) -> list[str]:
        """Append the PII findings of each unscanned record to its ``evidence`` (as the router stores them).

        Returns the ``pii.*`` reasons found, one per finding, for the release's counts.
        """
        found: list[str] = []
        for rec in recs:
            if not unscanned(rec):
                continue
            stage = self._stage(rec.get("config_json"))
            if stage is None:
                continue
            pieces = windows(rec["text"])
            for first in range(0, len(pieces), WINDOWS_PER_BATCH):
                group = pieces[first:first + WINDOWS_PER_BATCH]
                batch = DocBatch(
                    doc_ids=[rec["doc_id"]] * len(group), texts=[text for _, text in group],
                    source_uris=[rec.get("source_uri") or ""] * len(group),
                    messages=[None] * len(group),  # offsets into the joined text, as redact_messages takes them
                    meta=[json.loads(rec["meta"]) if rec.get("meta") and first + i == 0 else None
                          for i in range(len(group))],  # the record's meta once, with its first window
                )
                for f in stage.run(batch).findings:
                    shift = group[f.row][0]
                    evidence = dict(f.evidence)
                    if f.spans:
                        evidence["spans"] = [{"start": s.start + shift, "end": s.end + shift, "label": s.label}
                                             for s in f.spans]
                    if evidence.get("items"):
                        evidence["items"] = [{**i, "start": i["start"] + shift, "end": i["end"] + shift}
                                             for i in evidence["items"]]
                    rec["evidence"] = [*(rec.get("evidence") or []),
                                       json.dumps(evidence, sort_keys=True, default=str)]
                    if f.reason not in rec["reasons"]:
                        rec["reasons"] = [*rec["reasons"], f.reason]
                    found.append(f.reason)
        return found


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, str]]:
    """``(offset, piece)`` of ``text`` cut into pieces of about ``size`` characters, each cut at a whitespace.

    The PII stage's memory grows with the text it is handed (a 1.2 MB text peaked at 3.5 GB), and a too-long record
    has no upper bound, so it is analysed a window at a time. A cut at whitespace never splits an e-mail address,
    a URL or a key; a value written with spaces (a phone number) that straddles a cut can be missed.
    """
    out, start = [], 0
    while len(text) - start > size:
        cut = max(text.rfind(" ", start + size // 2, start + size), text.rfind("\n", start + size // 2, start + size))
        cut = cut + 1 if cut > start else start + size
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out
