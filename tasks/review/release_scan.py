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
from tasks.stage import DocBatch, Stage

PII_STAGE = "pii"


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
            from tasks.registry import stage_class, stage_config, switched_off  # lazy: presidio is heavy

            section = (json.loads(config_json or "{}").get("stages") or {}).get(PII_STAGE) or {}
            stage = None
            if not switched_off(section):
                stage = stage_class(PII_STAGE)(stage_config(PII_STAGE, section))
                stage.lake_root = self.lake_root
            self._stages[key] = stage
        return self._stages[key]

    def add_findings(self, recs: list[dict[str, Any]]) -> list[str]:
        """Append the PII findings of each unscanned record to its ``evidence`` (as the router stores them).

        Returns the ``pii.*`` reasons found, one per finding, for the release's counts.
        """
        found: list[str] = []
        groups: dict[str, list[dict[str, Any]]] = {}
        for rec in recs:
            if unscanned(rec):
                groups.setdefault(rec.get("config_json") or "", []).append(rec)
        for config_json, group in groups.items():
            stage = self._stage(config_json)
            if stage is None:
                continue
            batch = DocBatch(
                doc_ids=[r["doc_id"] for r in group], texts=[r["text"] for r in group],
                kind="instruct" if any(r.get("messages") for r in group) else "text",
                source_uris=[r.get("source_uri") or "" for r in group],
                messages=[r.get("messages") for r in group],
                meta=[json.loads(r["meta"]) if r.get("meta") else None for r in group],
            )
            for f in stage.run(batch).findings:
                evidence = dict(f.evidence)
                if f.spans:
                    evidence["spans"] = [{"start": s.start, "end": s.end, "label": s.label} for s in f.spans]
                rec = group[f.row]
                rec["evidence"] = [*(rec.get("evidence") or []), json.dumps(evidence, sort_keys=True, default=str)]
                rec["reasons"] = [*(rec.get("reasons") or []), f.reason]
                found.append(f.reason)
        return found
