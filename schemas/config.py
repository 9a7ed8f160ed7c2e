"""The ``sieve.yaml`` config model, validated by pydantic when it is built.

Unknown keys and bad values are rejected with the key's dotted path and the valid values (``ConfigError``).
A config is resolved per dataset: ``datasets.<name>`` overrides are deep-merged over the top level, then
validated, so ``config_hash`` identifies exactly what a run used.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from schemas.ranges import RANGE_ERRORS, field_bounds, out_of_range
from schemas.reasons import ACTIONS, FAMILIES

Action = Literal["flag", "redact", "quarantine", "drop"]
#: The values of ``input.kind`` / ``--kind``, of ``--task-runner`` and the top of ``shards.workers`` / ``--workers``:
#: defined once for sieve.yaml, the CLI and the curate-corpus flow's parameters (a deployment's runs too).
Kind = Literal["text", "instruct"]
TaskRunner = Literal["threads", "processes", "dask"]
MAX_WORKERS = 256

MEMORY_UNITS = ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "K", "M", "G", "T")
_MEMORY_RE = re.compile(rf"\s*(?P<number>\d+(\.\d+)?)\s*(?P<unit>{'|'.join(MEMORY_UNITS)}|%)\s*", re.IGNORECASE)


_VALIDATED = "sieve_validated"  # validation context key: the JSON comes from a config already validated


class ConfigError(ValueError):
    """The config is invalid; the message names the key and the valid values."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputConfig(_Strict):
    """Limits applied while reading records."""

    max_bytes: int = Field(
        1_000_000, ge=1, description="records with more UTF-8 bytes of text (or of meta) get input.too_long"
    )
    text_field: str = Field("text", description="field holding the text for --kind text")
    kind: Kind = "text"


class ShardConfig(_Strict):
    """How the plan splits sources into shards (one Prefect task each)."""

    target_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="uncompressed bytes per shard, roughly")
    batch_records: int = Field(2000, ge=1, le=100_000, description="records per batch handed to stages")
    workers: int = Field(0, ge=0, le=MAX_WORKERS, description="worker processes for shard work; 0 = number of cores")


class ResourceConfig(_Strict):
    """Bounds for corpus-level steps: memory is set here, not by the corpus size."""

    memory_limit: str = Field("2GB", description="DuckDB memory limit for corpus steps (spills beyond it)")
    threads: int = Field(2, ge=1, le=256)

    @field_validator("memory_limit")
    @classmethod
    def _duckdb_size(cls, value: str) -> str:
        # Checked here, not when the first corpus step runs SET memory_limit and leaves a failed run behind.
        # A subset of what DuckDB parses: a positive number and a unit (1000^i or 1024^i), or a share of RAM.
        match = _MEMORY_RE.fullmatch(value)
        if not match or float(match["number"]) <= 0 or (match["unit"] == "%" and float(match["number"]) > 100):
            raise ValueError(f"invalid value {value!r}; expected a size such as 2GB, 512MiB or 1.5 GiB "
                             f"(units: {', '.join(MEMORY_UNITS)}), or a share of RAM such as 80%")
        return value


class PolicyRule(_Strict):
    """Map reason codes matching ``reason`` (a glob, e.g. ``pii.*``) to an action.

    ``min_score``: the rule applies only to findings whose score is at least this (findings without a score always
    match). Rules are tried in order; the first match wins.
    """

    reason: str
    action: Action
    min_score: float | None = None

    @field_validator("reason")
    @classmethod
    def _family_known(cls, value: str) -> str:
        fam = value.split(".", 1)[0]
        if fam != "*" and fam not in FAMILIES:
            raise ValueError(f"unknown reason family {fam!r}; valid families: {', '.join(FAMILIES)}")
        return value

    def matches(self, reason: str, score: float | None) -> bool:
        """True when this rule applies to a finding with ``reason`` and ``score``."""
        if not fnmatch.fnmatchcase(reason, self.reason):
            return False
        return self.min_score is None or score is None or score >= self.min_score


DEFAULT_RULES: list[dict[str, Any]] = [
    {"reason": "input.empty", "action": "drop"},
    {"reason": "input.*", "action": "quarantine"},
    {"reason": "pii.SECRET*", "action": "quarantine"},
    {"reason": "pii.dense", "action": "quarantine"},
    {"reason": "pii.*", "action": "redact"},
    {"reason": "toxicity.*", "action": "quarantine"},
    {"reason": "poison.*", "action": "quarantine"},
    {"reason": "lang.*", "action": "quarantine"},
]


class PolicyConfig(_Strict):
    """Reason patterns -> actions. ``default_action`` applies to findings no rule matches."""

    rules: list[PolicyRule] = Field(default_factory=lambda: [PolicyRule(**r) for r in DEFAULT_RULES])
    default_action: Action = "flag"

    def action_for(self, reason: str, score: float | None) -> str:
        """The action for one finding: the first matching rule's, else ``default_action``."""
        for rule in self.rules:
            if rule.matches(reason, score):
                return rule.action
        return self.default_action


class LineageConfig(_Strict):
    """OpenLineage events of every run (tasks/lineage.py): JSON files in ``<lake>/lineage/``, plus HTTP when set.

    The HTTP endpoint (Marquez or any OpenLineage backend) gets the same events; a backend that is down is logged
    and never fails the run. The API key is read from the environment variable named by ``api_key_env``, so no
    secret lands in ``runs.config_json``.
    """

    enabled: bool = Field(True, description="emit START/COMPLETE/FAIL events for every run")
    file: bool = Field(True, description="write each event as JSON under <lake>/lineage/")
    url: str | None = Field(None, description="base URL of an OpenLineage HTTP backend, e.g. http://localhost:5000")
    endpoint: str = Field("api/v1/lineage", description="path of the lineage endpoint under url")
    namespace: str = Field("sieve", min_length=1, description="OpenLineage namespace of Sieve's jobs")
    timeout: float = Field(5.0, gt=0, le=120, description="seconds per HTTP request")
    api_key_env: str | None = Field(None, description="environment variable holding a bearer API key")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"invalid value {value!r}; expected an http:// or https:// URL")
        return value


class SieveConfig(_Strict):
    """The whole resolved config of one dataset."""

    input: InputConfig = Field(default_factory=InputConfig)
    shards: ShardConfig = Field(default_factory=ShardConfig)
    resources: ResourceConfig = Field(default_factory=ResourceConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    stages: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per-stage settings, validated by each stage's own Config model"
    )
    datasets: dict[str, dict[str, Any]] = Field(default_factory=dict, description="per-dataset overrides")
    lineage: LineageConfig = Field(default_factory=LineageConfig)

    @field_validator("datasets")
    @classmethod
    def _dataset_names(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        # the same rule as --dataset: a section no run could ever use is a typo the user should hear about
        from tasks.lake import DATASET_RULE, valid_dataset

        for name in value:
            if not valid_dataset(name):
                raise ValueError(f"invalid dataset name {name!r}; a dataset name is {DATASET_RULE}")
        return value

    @model_validator(mode="after")
    def _stages_known(self, info: ValidationInfo) -> SieveConfig:
        from tasks.registry import stage_names, validate_stage_config

        revalidating = bool(info.context and info.context.get(_VALIDATED))
        for name, section in self.stages.items():
            if name not in stage_names():
                raise ValueError(f"stages.{name}: unknown stage; valid stages: {', '.join(stage_names())}")
            if not revalidating:
                validate_stage_config(name, section)
        return self

    @classmethod
    def from_validated_json(cls, config_json: str) -> SieveConfig:
        """The config a parent process validated and sent as ``model_dump_json()`` (shard and route workers).

        Its stage sections are not validated again: that imports every registered stage's module (0.6 CPU-s in
        each worker for a config that switches most stages off); each enabled stage validates its own section
        when it is built.
        """
        return cls.model_validate_json(config_json, context={_VALIDATED: True})

    def stage_enabled(self, name: str) -> bool:
        """Whether stage ``name`` runs (its section's ``enabled``, else the stage's default)."""
        from tasks.registry import stage_config, switched_off

        section = self.stages.get(name, {})
        return not switched_off(section) and stage_config(name, section).enabled

    def canonical_json(self) -> str:
        """Stable JSON of the resolved config (without per-dataset overrides, already applied)."""
        # lineage only says where events go: changing a Marquez URL must not invalidate staged shards or resumes
        data = self.model_dump(mode="json", exclude={"datasets", "lineage"})
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def config_hash(self) -> str:
        """sha256 of ``canonical_json()``: part of every shard's cache key and of the ``runs`` row."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _model_at(model: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the section at ``path`` below ``model`` (list indexes skipped), None if it is no model."""
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        found = [t for t in (field.annotation, *get_args(field.annotation)) if isinstance(t, type)]
        models = [t for t in found if issubclass(t, BaseModel)]
        if not models:
            return None
        model = models[0]
    return model


def error_text(error: dict[str, Any], model: type[BaseModel], prefix: tuple[str, ...] = ()) -> str:
    """One pydantic error as ``<dotted key>: <what is wrong>``, with the valid keys or values when known.

    ``model`` is the model the error's location starts from (``SieveConfig``, or a stage's ``Config`` with
    ``prefix`` ``("stages", name)``).
    """
    loc = tuple(p for p in error["loc"] if p not in ("function-after",))
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        section = _model_at(model, loc[:-1])
        msg = "unknown key" + (f"; valid keys: {', '.join(section.model_fields)}" if section else "")
    elif error["type"] == "literal_error" and "expected" in error.get("ctx", {}):
        msg = f"invalid value {error.get('input')!r}; valid values: {error['ctx']['expected']}"
    elif error["type"] == "value_error":  # our own validators' messages, without pydantic's "Value error, "
        msg = str(error.get("ctx", {}).get("error", msg.removeprefix("Value error, ")))
    elif error["type"] in RANGE_ERRORS and loc:  # every bound of the key, not only the one crossed
        section = _model_at(model, loc[:-1])
        field = section.model_fields.get(str(loc[-1])) if section else None
        bounds = field_bounds(field) if field else {}
        msg = out_of_range(error.get("input"), bounds or error.get("ctx", {}))
    key = ".".join(str(p) for p in (*prefix, *loc))
    return f"{key}: {msg}" if key else msg


def _format_error(err: ValidationError, prefix: tuple[str, ...] = ()) -> str:
    texts = []
    for e in err.errors():
        if prefix and not e["loc"]:  # a whole-config check (stages): its message starts with the dotted key
            texts.append(".".join(prefix) + "." + error_text(e, SieveConfig))
        else:
            texts.append(error_text(e, SieveConfig, prefix))
    return "invalid config: " + "; ".join(texts)


def build_config(raw: dict[str, Any] | None = None, dataset: str | None = None) -> SieveConfig:
    """Validate a raw config mapping and resolve the overrides of ``dataset``; raise ``ConfigError`` if invalid."""
    raw = dict(raw or {})
    try:
        top = SieveConfig.model_validate(raw)
        base = {k: v for k, v in raw.items() if k != "datasets"}
        resolved = top
        # Every dataset's section is checked, not only this run's: a typo under another dataset surfaced only
        # when that dataset next ran (a scheduled run at night), though the file was "validated when loaded".
        for name, section in top.datasets.items():
            try:
                merged = SieveConfig.model_validate(_deep_merge(base, section))
            except ValidationError as err:  # the top level is valid: the dataset's section is what to fix
                raise ConfigError(_format_error(err, ("datasets", name))) from None
            if name == dataset:
                resolved = merged
        return resolved
    except ValidationError as err:
        raise ConfigError(_format_error(err)) from None
    except ConfigError:
        raise
    except ValueError as err:  # raised by our own validators outside pydantic's wrapping
        raise ConfigError(f"invalid config: {err}") from None


def with_input_overrides(cfg: SieveConfig, kind: str | None, text_field: str | None) -> SieveConfig:
    """``cfg`` with the command line's ``--kind`` / ``--text-field`` (when given) replacing ``input``'s values."""
    updates = {k: v for k, v in (("kind", kind), ("text_field", text_field)) if v}
    if not updates:
        return cfg
    return cfg.model_copy(update={"input": cfg.input.model_copy(update=updates)})


def _yaml_reason(err: yaml.YAMLError) -> str:
    """PyYAML's error in one line: what is wrong and where (1-based line and column), without its caret block."""
    if not isinstance(err, yaml.MarkedYAMLError):
        return " ".join(str(err).split())
    mark = err.problem_mark or err.context_mark
    what = ": ".join(p for p in (err.context, err.problem) if p) or "syntax error"
    return f"{what} at line {mark.line + 1}, column {mark.column + 1}" if mark else what


def load_config(path: str | Path | None, dataset: str | None = None) -> SieveConfig:
    """Load ``path`` (YAML); None means ``sieve.yaml`` in the working directory if present, else defaults."""
    if path is None:
        candidate = Path("sieve.yaml")
        if not candidate.exists():
            return build_config({}, dataset)
        path = candidate
    if not str(path).strip():  # Path("") is "." (a folder): say what was given instead
        raise ConfigError("config file name is empty")
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory, not a YAML file") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"config file {path} is not UTF-8 text (at byte offset {err.start}): {err.reason}") from None
    except OSError as err:
        raise ConfigError(f"config file {path} cannot be read: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {path} is not valid YAML: {_yaml_reason(err)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return build_config(raw, dataset)


VALID_ACTIONS = ACTIONS
