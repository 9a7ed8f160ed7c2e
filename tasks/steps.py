"""Prefect tasks: thin wrappers that pass paths and small summaries, never Arrow data (with flows/, the only Prefect).

Execution modes for the per-shard work:

* ``processes`` (default): Prefect tasks run in threads of the flow process and hand the CPU work to a process
  pool the flow owns. Workers never talk to Prefect, so no worker starts its own API server (../shared/NOTES.md:
  process runners + the ephemeral API start one server per worker) and the GIL is not a bottleneck.
* ``threads``: the work runs in the task's thread (handy for debugging; CPU-bound stages contend for the GIL).
* ``dask``: Prefect's DaskTaskRunner runs the task, and the work, on a Dask worker.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError

from tasks import corpus, plan, route, shard
from tasks import workers as workers_pool
from tasks.lake import Lake

# Set by the CLI to draw progress; called in the flow process as each shard finishes (``gather``).
PROGRESS: Callable[[str, dict[str, Any]], None] | None = None
# The worker pool lives in tasks/workers.py (no Prefect import there, so the CLI can start it first).
warm_pool = workers_pool.warm_pool
shutdown_pool = workers_pool.shutdown_pool
allow_new_pool = workers_pool.allow_new_pool
_execute = workers_pool.execute


def gather(futures: Any, kind: str) -> list[dict[str, Any]]:
    """The results of mapped shard tasks, in shard order; ``PROGRESS(kind, summary)`` as each one finishes.

    Progress is drawn here, in the flow's process, from each finished future: called in the task body, it never
    came for a shard whose result Prefect's cache returned (a rerun resuming a run: "stage shards 0/4" to the end),
    nor for any shard under ``--task-runner dask`` (the body runs on a Dask worker, where nothing draws). As with
    ``futures.result()``, every task finishes before the first failure (in shard order) is raised.
    """
    from prefect.futures import as_completed

    if PROGRESS is not None:
        for future in as_completed(list(futures)):
            try:  # not future.state: for a future done but not yet read, that is one API call per shard
                summary = future.result()
            except Exception:  # noqa: BLE001, S112 - raised below, once every task has finished
                continue
            PROGRESS(kind, summary)
    return futures.result()


@task(
    name="plan-sources",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=lambda task, run, state: _is_transient(state),
)
def plan_task(
    inputs: list[str], target_bytes: int, manifest: dict[str, str] | None, salt: str
) -> dict[str, Any]:
    """List, hash and shard the inputs. Retried only on transient I/O errors (network filesystems)."""
    entries, slices = plan.plan_sources(inputs, target_bytes, manifest)
    shards = plan.pack_shards(slices, target_bytes, salt)
    return {
        "sources": plan.entries_as_dicts(entries),
        "shards": [
            {"index": s.index, "key": s.key, "slices": s.slices, "est_bytes": s.est_bytes} for s in shards
        ],
        "plan_hash": plan.plan_hash(entries, salt),
    }


def _is_transient(state: Any) -> bool:
    """Only errors that may pass on retry (timeouts, connection resets) are retried; a bad file is not."""
    try:
        state.result()
    except (TimeoutError, ConnectionError):
        return True
    except Exception:  # noqa: BLE001 - everything else is terminal by type
        return False
    return False


def _shard_cache_key(context: Any, parameters: dict[str, Any]) -> str | None:
    # Prefect's cache is consulted only when the lake confirms the shard is staged: a cache entry must never
    # point at staged files that were deleted with the lake's work area.
    if (Path(parameters["stage_dir"]) / shard.MARKER).exists():
        return f"stage-shard:{parameters['shard_spec']['key']}"
    return None


# Task runs are named by shard index, as the shard's part files are (part-00003.parquet): "stage-shard-b4f" (a random
# suffix) did not say which of a run's shards failed or was slow.
@task(name="stage-shard", task_run_name="stage-shard-{shard_spec[index]:05d}", cache_key_fn=_shard_cache_key,
      persist_result=True)
def stage_shard_task(
    shard_spec: dict[str, Any], stage_dir: str, config_json: str, mode: str, workers: int
) -> dict[str, Any]:
    """Read and run the document stages over one shard (skips work if already staged)."""
    # The worker gets tasks.shard's own function: a function of this module would make each worker import Prefect
    # (2-3 s) when it unpickles its first shard.
    summary = _execute(mode, workers, shard.process_shard, shard_spec, stage_dir, config_json)
    return {k: v for k, v in summary.items() if k != "files"}


@task(name="corpus-stages", cache_policy=NO_CACHE)
def corpus_task(
    config_json: str,
    run_id: str,
    dataset: str,
    lake_root: str,
    shard_dirs: list[str],
    prior_runs: list[str],
    work_dir: str,
) -> dict[str, Any]:
    """Run the corpus-level stages (dedup, clustering, statistics) over every staged shard."""
    from schemas.config import SieveConfig

    cfg = SieveConfig.from_validated_json(config_json)
    return corpus.run_corpus_stages(
        cfg, run_id, dataset, Path(lake_root), shard_dirs, prior_runs, Path(work_dir)
    )


@task(name="route-shard", task_run_name="route-shard-{shard_index:05d}", cache_policy=NO_CACHE)
def route_task(
    shard_index: int,
    stage_dir: str,
    corpus_dir: str,
    run_id: str,
    dataset: str,
    lake_root: str,
    config_json: str,
    mode: str,
    workers: int,
) -> dict[str, Any]:
    """Apply the policy to one shard and write its clean, quarantine and provenance parts."""
    summary = _execute(
        mode,
        workers,
        route.route_shard,
        shard_index,
        stage_dir,
        corpus_dir,
        run_id,
        dataset,
        lake_root,
        config_json,
    )
    return summary


@task(name="publish-summary", cache_policy=NO_CACHE)
def summary_artifact_task(
    run_id: str,
    dataset: str,
    outcomes: dict[str, int],
    reasons: dict[str, int],
    top_sources: list[dict[str, Any]],
    lake: Lake | str,
    stage_seconds: dict[str, float] | None = None,
) -> None:
    """Prefect artifacts of a run: a table (outcomes, top reasons, top sources, seconds per stage) and markdown."""
    top_reasons = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP]
    timings = sorted((stage_seconds or {}).items(), key=lambda kv: -kv[1])
    rows = [{"kind": "outcome", "name": k, "value": v} for k, v in sorted(outcomes.items())]
    rows += [{"kind": "reason", "name": k, "value": v} for k, v in top_reasons]
    rows += [{"kind": "source", "name": s["source_uri"], "value": s["records"]} for s in top_sources[:_TOP]]
    rows += [{"kind": "stage_seconds", "name": k, "value": round(v, 3)} for k, v in timings]
    key = artifact_key(dataset)
    create_table_artifact(
        rows,
        key=key,
        description=f"Sieve run {run_id} of dataset {dataset}: outcomes, top reasons, top sources, seconds per stage",
    )
    report = Path(str(lake)) / "reports" / f"{run_id}.html"

    def md_table(header: str, pairs: list[tuple[Any, Any]]) -> list[str]:
        # table cells: a "|" in a file name must not break the table
        cells = [f"| {str(a).replace('|', '&#124;')} | {b} |" for a, b in pairs]
        return ["", f"| {header} |", "|---|---|", *cells] if pairs else ["", f"{header}: none"]

    lines = [f"# Sieve run `{run_id}`", "", f"dataset `{dataset}`, lake `{lake}`, report `{report}`"]
    lines += md_table("outcome | records", sorted(outcomes.items()))
    lines += md_table("reason | records", top_reasons)
    lines += md_table("source | records", [(s["source_uri"], s["records"]) for s in top_sources[:_TOP]])
    lines += md_table("stage | seconds", [(k, f"{v:.3f}") for k, v in timings])
    create_markdown_artifact(
        "\n".join(lines), key=artifact_key(dataset, summary=True), description="Summary of the run"
    )


_TOP = 20
#: Characters of the dataset name kept in an artifact key (a dataset name may have 128).
_KEY_NAME_CHARS = 40
#: Ends the key of a run's markdown summary; the table's key is the same without it.
SUMMARY_SUFFIX = "-summary"


def artifact_key(dataset: str, summary: bool = False) -> str:
    """The Prefect artifact key of ``dataset``'s run tables (``summary``: markdown summaries), unique per dataset.

    Prefect keys hold only lowercase letters, digits and dashes, and the artifacts of one key form one history. A
    name already in that form (and at most 40 characters) is the key as it is: ``sieve-web``, ``sieve-web-summary``.
    Any other name is lowered, each other character made a dash, cut to 40 characters, and given 8 hex digits of
    the name's sha256: ``Web`` and ``web``, ``web_1`` and ``web-1``, or two long names sharing their first 40
    characters had one key, so one history mixed the runs of two datasets. A name ending in ``-summary`` is hashed
    too: the table of dataset ``web-summary`` had the key of the markdown of dataset ``web``.
    """
    slug = "".join(c if c.isascii() and (c.isdigit() or c.islower()) else "-" for c in dataset.lower())
    if slug == dataset and len(slug) <= _KEY_NAME_CHARS and not slug.endswith(SUMMARY_SUFFIX):
        key = f"sieve-{slug}"
    else:
        key = f"sieve-{slug[:_KEY_NAME_CHARS]}-{hashlib.sha256(dataset.encode('utf-8')).hexdigest()[:8]}"
    return key + (SUMMARY_SUFFIX if summary else "")


@task(name="write-report", cache_policy=NO_CACHE)
def report_task(lake_root: str, dataset: str, run_id: str, stage_seconds: dict[str, float]) -> str | None:
    """Write ``<lake>/reports/<run_id>.html``; a report that cannot be written is logged, not a failed run."""
    from tasks.report import write_report

    try:
        return str(write_report(Lake(Path(lake_root)), dataset, run_id, stage_seconds))
    except Exception as err:  # noqa: BLE001 - the run's data is already complete and recorded
        log_message(f"run report of {run_id} not written: {type(err).__name__}: {err}", level=logging.WARNING)
        return None


def log_message(message: str, level: int = logging.INFO) -> None:
    """Log one line to the current Prefect run's log (to the ``sieve`` logger outside a run)."""
    try:
        logger: Any = get_run_logger()
    except MissingContextError:
        logger = logging.getLogger("sieve")
    logger.log(level, message)
