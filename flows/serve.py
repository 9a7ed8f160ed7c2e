"""``sieve serve --lake DIR``: serve the deployments of ``prefect.yaml`` so their schedules fire, with no work pool.

The deployments are read from ``prefect.yaml`` (name, entrypoint, description, tags, parameters, schedules), turned
into runner deployments with ``Flow.to_deployment`` and served with ``prefect.serve``: one long-running process that
registers them with the Prefect API and runs each scheduled flow run in a subprocess. Schedules are created by the
API server's scheduler, so a real server is needed (``prefect server start`` or Prefect Cloud): the ephemeral API a
plain ``sieve run`` starts has no scheduler, and ``sieve serve`` refuses to start without ``PREFECT_API_URL``.

Prefect is imported only when the command runs, so importing this module (from flows/cli.py) stays cheap.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from flows.failures import CommandFailure

# Parameters of curate-corpus that name local paths: relative ones are taken from prefect.yaml's folder.
PATH_PARAMETERS = ("config", "manifest")
SCHEDULE_KEYS = {"cron", "interval", "rrule", "timezone", "active", "day_or", "anchor_date", "parameters", "slug"}


class ServeError(CommandFailure):
    """``prefect.yaml`` is missing or invalid, or no Prefect API is configured; one line, exit code 2."""


def load_deployments(path: str | Path, only: list[str] | None = None) -> list[dict[str, Any]]:
    """The ``deployments`` of a prefect.yaml (those named in ``only``, if given), checked for the keys used."""
    p = Path(path)
    if not p.exists():
        raise ServeError(f"deployments file not found: {p}")
    try:
        raw = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as err:
        raise ServeError(f"{p} is not valid YAML: {err}") from None
    entries = raw.get("deployments") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ServeError(f"{p} has no `deployments` list")
    for i, d in enumerate(entries):
        if not isinstance(d, dict) or not d.get("name") or ":" not in str(d.get("entrypoint", "")):
            raise ServeError(f"{p}: deployments[{i}] needs `name` and `entrypoint: path/to/file.py:function`")
        for j, s in enumerate(d.get("schedules") or []):
            unknown = set(s) - SCHEDULE_KEYS if isinstance(s, dict) else {"(not a mapping)"}
            kinds = [k for k in ("cron", "interval", "rrule") if isinstance(s, dict) and s.get(k) is not None]
            if unknown or len(kinds) != 1:
                raise ServeError(
                    f"{p}: deployments[{i}].schedules[{j}]: needs exactly one of cron, interval, rrule"
                    + (f"; unknown keys: {', '.join(sorted(unknown))}" if unknown else "")
                )
    names = [d["name"] for d in entries]
    if only:
        missing = [n for n in only if n not in names]
        if missing:
            raise ServeError(f"no deployment named {', '.join(missing)} in {p}; valid names: {', '.join(names)}")
        entries = [d for d in entries if d["name"] in only]
    return entries


def schedule_of(spec: dict[str, Any]) -> Any:
    """A ``prefect.schedules`` schedule from one prefect.yaml ``schedules`` entry (interval in seconds)."""
    from prefect.schedules import Cron, Interval, RRule

    common = {k: spec[k] for k in ("timezone", "active", "parameters", "slug") if spec.get(k) is not None}
    if spec.get("cron") is not None:
        return Cron(spec["cron"], day_or=spec.get("day_or", True), **common)
    if spec.get("interval") is not None:
        anchor = spec.get("anchor_date")
        extra = {"anchor_date": anchor} if anchor is not None else {}
        return Interval(timedelta(seconds=float(spec["interval"])), **extra, **common)
    return RRule(spec["rrule"], **common)


def resolve_parameters(params: dict[str, Any], base: Path, lake: str) -> dict[str, Any]:
    """The deployment's parameters with ``lake`` set and relative local paths made absolute against ``base``."""
    from tasks.lake import local_path

    def local(value: str) -> str:
        return value if "://" in value or os.path.isabs(value) else str((base / value).resolve())

    out = dict(params)
    if "inputs" in out:
        inputs = out["inputs"] if isinstance(out["inputs"], list) else [out["inputs"]]
        out["inputs"] = [local(str(i)) for i in inputs]
    for key in PATH_PARAMETERS:
        if out.get(key):
            out[key] = local(str(out[key]))
    out["lake"] = str(local_path(lake))
    return out


def build_deployments(path: str | Path, lake: str, only: list[str] | None = None) -> list[Any]:
    """Runner deployments of the entries of ``path`` (a prefect.yaml), with ``lake`` as every run's lake."""
    from prefect.flows import load_flow_from_entrypoint

    base = Path(path).resolve().parent
    out = []
    for spec in load_deployments(path, only):
        file, _, function = str(spec["entrypoint"]).rpartition(":")
        flow = load_flow_from_entrypoint(f"{(base / file).resolve()}:{function}")
        # A bad cron, interval or time zone is named with its deployment; it ended `sieve serve` with "run failed:
        # ValueError: ..." (or pydantic's "1 validation error for RunnerDeployment") and no hint where it was.
        schedules = []
        for j, s in enumerate(spec.get("schedules") or []):
            try:
                schedules.append(schedule_of(s))
            except (ValueError, TypeError) as err:
                raise ServeError(f"{path}: deployment {spec['name']}: schedules[{j}]: {_first_error(err)}") from None
        parameters = resolve_parameters(spec.get("parameters") or {}, base, lake)
        _check_parameters(flow, parameters, f"{path}: deployment {spec['name']}")
        try:
            out.append(
                flow.to_deployment(
                    name=spec["name"],
                    description=spec.get("description"),
                    tags=spec.get("tags") or [],
                    parameters=parameters,
                    schedules=schedules,
                )
            )
        except (ValueError, TypeError) as err:
            raise ServeError(f"{path}: deployment {spec['name']}: {_first_error(err)}") from None
        _check_local_paths(parameters, f"{path}: deployment {spec['name']}")
    return out


def _check_parameters(flow: Any, parameters: dict[str, Any], where: str) -> None:
    """Refuse parameters the flow would reject, naming them: served as they were, every run of the deployment
    failed (an unknown name, a missing ``inputs``, a wrong type) while ``sieve serve`` looked healthy."""
    import logging

    from prefect.exceptions import ParameterTypeError

    from tasks.lake import DATASET_RULE, valid_dataset

    valid = list(flow.parameters.properties)
    unknown = [k for k in parameters if k not in valid]
    if unknown:
        raise ServeError(f"{where}: unknown parameters: {', '.join(unknown)}; valid parameters: {', '.join(valid)}")
    if "dataset" in parameters and not valid_dataset(parameters["dataset"]):  # every run would refuse it
        raise ServeError(f"{where}: dataset: invalid value {parameters['dataset']!r}; a dataset name is "
                         f"{DATASET_RULE}")
    _check_ranges(flow, parameters, where)
    if parameters.get("task_runner") == "dask":  # the flow would refuse it at the start of every run
        raise ServeError(f"{where}: task_runner 'dask': a deployment's runs use the flow's default thread runner, "
                         "not Dask; use 'processes' or 'threads'")
    log = logging.getLogger("prefect.flows")  # it logs the failure as an ERROR record before raising: said below
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        flow.validate_parameters(parameters)
    except ParameterTypeError as err:
        problems = [line.strip(" -") for line in str(err).splitlines()[1:]] or [str(err)]
        raise ServeError(f"{where}: parameters: {'; '.join(problems)}") from None
    finally:
        log.setLevel(level)


def _check_ranges(flow: Any, parameters: dict[str, Any], where: str) -> None:
    """Name every bound of a number parameter out of its range (``workers: invalid value -1; valid values: 0 to
    256``): Prefect's own check names only the bound crossed. Other problems are left to that check."""
    import typing

    from pydantic import TypeAdapter, ValidationError

    from schemas.ranges import RANGE_ERRORS, field_bounds, out_of_range

    hints = typing.get_type_hints(flow.fn, include_extras=True)
    for name, value in parameters.items():
        extras = getattr(hints.get(name), "__metadata__", ())
        bounds = {k: v for extra in extras for k, v in field_bounds(extra).items()}
        if not bounds:
            continue
        try:
            TypeAdapter(hints[name]).validate_python(value)
        except ValidationError as err:
            if err.errors()[0]["type"] in RANGE_ERRORS:
                raise ServeError(f"{where}: parameters: {name}: {out_of_range(value, bounds)}") from None


def _check_local_paths(parameters: dict[str, Any], where: str) -> None:
    """Refuse a local input, config or manifest that does not exist, naming it: every run of the deployment failed
    on it (``input not found``) while ``sieve serve`` looked healthy, as the shipped deployments did in a fresh
    clone without their watched folder. URLs and patterns are left to the runs (files may match them later)."""
    named = [("inputs", str(i)) for i in parameters.get("inputs") or []]
    named += [(key, str(parameters[key])) for key in PATH_PARAMETERS if parameters.get(key)]
    for key, value in named:
        if "://" in value or any(c in value for c in "*?["):
            continue
        if not os.path.lexists(os.path.expanduser(value)):
            raise ServeError(f"{where}: {key}: not found: {value} (create it, or change the deployment's `{key}`)")


def _first_error(err: Exception) -> str:
    """One line for ``err``: a pydantic error's first problem with its location, else the message's first line."""
    from pydantic import ValidationError

    if isinstance(err, ValidationError) and err.errors():
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    return (str(err).splitlines() or [type(err).__name__])[0]


def _check_api(url: str) -> None:
    """Fail in one line naming ``url`` when the Prefect API does not answer ``/health`` (down, or a wrong URL).

    Without this, a server that is down ended ``sieve serve`` with ``run failed: ConnectError: All connection
    attempts failed``: no URL, and no run was involved.
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        err = client.api_healthcheck()
    if err is not None:
        detail = (str(err).splitlines() or [""])[0].split(" - ")[0]
        raise ServeError(
            f"cannot reach the Prefect API at {url}: {type(err).__name__}: {detail} "
            "(is `prefect server start` running, and is PREFECT_API_URL its URL, ending in /api?)"
        )


def _check_not_pool_deployed(deployments: list[Any]) -> None:
    """Refuse to serve a deployment the server already has on a work pool (``prefect deploy``), naming the fix.

    Prefect updates an existing deployment in place when it is served: the work pool stays and its code location
    (``path``, pull steps) is cleared, so every run served from here then crashed loading the flow ("Downloading
    flow code from storage at None"), while ``sieve serve`` looked healthy.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        for d in deployments:
            full = f"{d.flow_name}/{d.name}"
            try:
                found = client.read_deployment_by_name(full)
            except ObjectNotFound:
                continue
            if found.work_pool_name:
                raise ServeError(
                    f"deployment {full} is deployed to work pool {found.work_pool_name!r} on this server (by "
                    f"`prefect deploy`), and served runs of it could not load the flow: run its pool's worker "
                    f"(`prefect worker start --pool {found.work_pool_name}`), or delete it first "
                    f"(`prefect deployment delete {full}`)"
                )


def serve_command(
    lake: Annotated[str, typer.Option("--lake", help="Lake folder every served run writes to.")] = "data/lake",
    file: Annotated[str, typer.Option("--file", help="prefect.yaml holding the deployments.")] = "prefect.yaml",
    deployment: Annotated[
        list[str] | None, typer.Option("--deployment", help="Serve only this deployment (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Flow runs at once (a dataset has one writer).")] = 1,
) -> None:
    """Serve the deployments of prefect.yaml with their schedules (needs PREFECT_API_URL: a real Prefect server)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    from prefect import serve
    from prefect.settings import PREFECT_API_URL

    from tasks.lake import local_path

    if not PREFECT_API_URL.value():
        raise ServeError(
            "no Prefect API to serve to: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (schedules need a server's scheduler)"
        )
    _check_api(str(PREFECT_API_URL.value()))
    lake = str(local_path(lake))  # before the chdir below: relative to where the command was started
    file = str(Path(file).resolve())
    # Entrypoints are recorded relative to the working directory and the flow runs' subprocesses resolve them from
    # it: serve from the folder of prefect.yaml (the project).
    os.chdir(Path(file).parent)
    deployments = build_deployments(file, lake, deployment)
    _check_not_pool_deployed(deployments)
    serve(*deployments, limit=limit, print_starting_message=True)
