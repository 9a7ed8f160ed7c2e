"""Shared pieces of the poison_injection tests: a clean host paragraph and a one-record run of the stage."""

from __future__ import annotations

from tasks.detectors.injection import Injection
from tasks.stage import DocBatch, StageResult

HOST = ("The harbour town holds a fish market every Saturday morning. Local boats bring in mackerel and crab, "
        "and the stalls close by noon. Parking is free near the old church.")


def one(stage: Injection, text: str, messages: list[dict] | None = None) -> StageResult:
    """Run ``stage`` on one record (an instruct record when ``messages`` is given)."""
    batch = DocBatch(doc_ids=["d"], texts=[text], kind="instruct" if messages else "text",
                     messages=[messages] if messages else [])
    return stage.run(batch)
