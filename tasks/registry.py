"""The explicit stage registry: adding a detector is one line here, and no change to the flow.

Entries are ``"module:Class"`` strings imported lazily, so listing or validating stages never imports a heavy
library (presidio, spaCy, fastText). Document stages run in the order listed, inside each shard task; corpus
stages run in order after every shard is done.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from pydantic import ValidationError

from tasks.stage import CorpusStage, Stage, StageConfig

DOCUMENT_STAGES: dict[str, str] = {
    # name: "module:Class"  (order = execution order inside a shard)
    "language": "tasks.detectors.language:LanguageStage",
    "toxicity": "tasks.detectors.toxicity:ToxicityStage",
    "poison_unicode": "tasks.detectors.unicode_smuggling:UnicodeSmuggling",
    "poison_homoglyph": "tasks.detectors.homoglyph:Homoglyphs",
    "poison_injection": "tasks.detectors.injection:Injection",
    "poison_gibberish": "tasks.detectors.gibberish:Gibberish",
    "minhash": "tasks.dedup.minhash:MinHashStage",
    "pii": "tasks.detectors.pii:PiiStage",
}

CORPUS_STAGES: dict[str, str] = {
    "dedup_exact": "tasks.dedup.exact:ExactDedup",
    "dedup_near": "tasks.dedup.near:NearDedup",
    "poison_trigger": "tasks.detectors.poison_trigger:TriggerMining",
    "poison_flood": "tasks.detectors.poison_flood:SourceFlood",
    "poison_label_trigger": "tasks.detectors.poison_label:LabelTrigger",
}


def stage_names() -> list[str]:
    """Every registered stage name, document stages first."""
    return [*DOCUMENT_STAGES, *CORPUS_STAGES]


@cache
def stage_class(name: str) -> type[Stage] | type[CorpusStage]:
    """Import and return the class registered as ``name``."""
    target = DOCUMENT_STAGES.get(name) or CORPUS_STAGES.get(name)
    if target is None:
        raise KeyError(f"unknown stage {name!r}; valid stages: {', '.join(stage_names())}")
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)


def stage_config(name: str, section: dict[str, Any]) -> StageConfig:
    """Validate one ``stages.<name>`` section with the stage's own Config model."""
    return stage_class(name).Config.model_validate(section)


def validate_stage_config(name: str, section: dict[str, Any]) -> None:
    """Raise ValueError naming ``stages.<name>.<key>`` when a stage section is invalid."""
    from schemas.config import error_text  # lazy: schemas.config imports this module inside its validators

    try:
        stage_config(name, section)
    except ValidationError as err:
        raise ValueError(error_text(err.errors()[0], stage_class(name).Config, ("stages", name))) from None


def switched_off(section: dict[str, Any]) -> bool:
    """Whether a stage section says ``enabled: false``: decided without importing the stage's module."""
    return section.get("enabled") is False


def _build(names: dict[str, str], stages: dict[str, dict[str, Any]]) -> list[Any]:
    out = []
    for name in names:
        section = stages.get(name, {})
        if switched_off(section):
            continue
        cfg = stage_config(name, section)
        if cfg.enabled:
            out.append(stage_class(name)(cfg))
    return out


def build_document_stages(stages: dict[str, dict[str, Any]]) -> list[Stage]:
    """Instantiate the enabled document stages from the ``stages`` config mapping, in registry order."""
    return _build(DOCUMENT_STAGES, stages)


def build_corpus_stages(stages: dict[str, dict[str, Any]]) -> list[CorpusStage]:
    """Instantiate the enabled corpus stages, in registry order."""
    return _build(CORPUS_STAGES, stages)


def stage_identities(stages: dict[str, dict[str, Any]]) -> list[str]:
    """``name@version`` of every enabled stage: part of each shard's cache key."""
    return [s.identity for s in build_document_stages(stages)] + [
        s.identity for s in build_corpus_stages(stages)
    ]
