"""OpenLineage events of a run: START, then COMPLETE or FAIL, built with ``openlineage-python``'s own models.

Every run is one OpenLineage run of the job ``<namespace>/curate-corpus.<dataset>``; its id is a UUID derived from
Sieve's ``run_id`` (a resumed run keeps its lineage id). The Prefect flow run is its parent (``ParentRunFacet``).
Inputs are the source files read (version = sha256, row count = records read); outputs are the clean and
quarantine datasets and the provenance tables, each with a schema facet (the Arrow schema, in DuckDB type names)
and, on COMPLETE, row/byte/file counts read from the Parquet footers of this run's partition.

Events go to ``<lake>/lineage/<run_id>-<time>.json`` through the client's file transport, and also to an HTTP
backend (Marquez) when ``lineage.url`` is set. Lineage never fails a run: a transport error is logged and dropped.
"""

from __future__ import annotations

import logging
import os
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    input_statistics_input_dataset,
    job_type_job,
    output_statistics_output_dataset,
    parent_run,
    processing_engine_run,
    schema_dataset,
    tags_run,
)
from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from openlineage.client.transport.transport import Transport

from schemas import arrow
from schemas.config import LineageConfig
from tasks.catalog import duck_type
from tasks.lake import Lake

log = logging.getLogger(__name__)

PRODUCER = "https://github.com/sieve-project/sieve"
JOB_PREFIX = "curate-corpus"
PREFECT_NAMESPACE = "prefect"
# Tables a run writes in the lake, as OpenLineage output datasets: (name in the lake, Arrow schema).
OUTPUT_TABLES = ("documents", "decisions", "scores", "duplicates", "sources", "files", "runs")
_RETRY = {"total": 2, "connect": 2, "read": 2, "backoff_factor": 0.3, "status_forcelist": [502, 503, 504],
          "allowed_methods": ["POST"]}


@contextmanager
def _quiet_retries() -> Iterator[None]:
    """Keep urllib3's retry warnings (a few lines each, six per event with an HTTP backend that is down) off the
    run's stderr while an event is sent: the one warning below says what failed."""
    pool = logging.getLogger("urllib3.connectionpool")
    level = pool.level
    pool.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        pool.setLevel(level)


def lineage_run_id(run_id: str) -> str:
    """The OpenLineage run id (a UUID, as the spec requires) of Sieve run ``run_id``; stable across resumes."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sieve:run:{run_id}"))


def job_name(dataset: str) -> str:
    """The OpenLineage job name of the runs of ``dataset``."""
    return f"{JOB_PREFIX}.{dataset}"


def dataset_ref(uri: str) -> tuple[str, str]:
    """``(namespace, name)`` of a file or URL by OpenLineage's naming rules (``file`` + path; ``s3://bucket`` + key)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return "file", str(Path(parsed.path if parsed.scheme else uri).expanduser().resolve())
    return f"{parsed.scheme}://{parsed.netloc}", parsed.path.lstrip("/")


def schema_facet(schema: pa.Schema) -> schema_dataset.SchemaDatasetFacet:
    """A schema facet of an Arrow schema, with DuckDB type names (what users query the lake with)."""
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=f.name, type=duck_type(f.type)) for f in schema]
    )


def _input_schema(source: dict[str, Any], text_field: str, kind: str) -> pa.Schema:
    """What Sieve reads from a source: a Parquet file's own schema, else the fields Sieve looks at."""
    if source.get("format") == "parquet" and source.get("sha256"):
        try:
            import fsspec

            with fsspec.open(source["uri"], "rb") as f:
                return pq.ParquetFile(f).schema_arrow
        except Exception:  # noqa: BLE001 - an unreadable footer is reported by the run itself
            pass
    if source.get("format") == "text":
        return pa.schema([("text", pa.string())])
    if kind == "instruct":
        return pa.schema([("id", pa.string()), ("prompt", pa.string()), ("response", pa.string())])
    return pa.schema([("id", pa.string()), (text_field, pa.string())])


def _inputs(sources: list[dict[str, Any]], text_field: str, kind: str, done: bool) -> list[InputDataset]:
    out = []
    for s in sources:
        if s.get("unchanged_since"):  # incremental runs: an unchanged file was hashed, not read
            continue
        namespace, name = dataset_ref(s.get("source_uri") or s["uri"])
        facets: dict[str, Any] = {"schema": schema_facet(_input_schema(s, text_field, kind))}
        if s.get("sha256"):
            facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=s["sha256"])
        stats = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(
            rowCount=int(s.get("records") or 0) if done else None, size=s.get("size_bytes"), fileCount=1
        )
        out.append(InputDataset(namespace, name, facets=facets, inputFacets={"inputStatistics": stats}))
    return out


def _partition_stats(folder: Path) -> output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet:
    files = sorted(folder.glob("*.parquet")) if folder.exists() else []
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    size = sum(f.stat().st_size for f in files)
    return output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
        rowCount=rows, size=size, fileCount=len(files)
    )


def _outputs(lake: Lake, dataset: str, run_id: str, done: bool) -> list[OutputDataset]:
    targets = [
        (lake.root / "clean" / dataset, lake.clean_dir(dataset, run_id), arrow.CLEAN),
        (lake.root / "quarantine" / dataset, lake.quarantine_dir(dataset, run_id), arrow.QUARANTINE),
    ] + [
        (lake.root / "provenance" / t, lake.provenance_dir(t, run_id), arrow.PROVENANCE[t]) for t in OUTPUT_TABLES
    ]
    out = []
    for table_dir, partition, schema in targets:
        facets: dict[str, Any] = {
            "schema": schema_facet(schema),
            "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=run_id),
        }
        output_facets = {"outputStatistics": _partition_stats(partition)} if done else {}
        out.append(OutputDataset("file", str(table_dir), facets=facets, outputFacets=output_facets))
    return out


def _transports(lake: Lake, run_id: str, cfg: LineageConfig) -> list[Transport]:
    transports: list[Transport] = []
    if cfg.file:
        folder = lake.root / "lineage"
        folder.mkdir(parents=True, exist_ok=True)
        # The file transport names each event <log_file_path>-<timestamp>.json: one file per event.
        transports.append(FileTransport(FileConfig(log_file_path=str(folder / run_id))))
    if cfg.url:
        http = HttpConfig(url=cfg.url, endpoint=cfg.endpoint, timeout=cfg.timeout, retry=dict(_RETRY))
        if cfg.api_key_env and os.environ.get(cfg.api_key_env):
            http.auth = ApiKeyTokenProvider({"apiKey": os.environ[cfg.api_key_env]})
        transports.append(HttpTransport(http))
    return transports


def _client_version() -> str:
    """The openlineage-python version, as the client package states it (``importlib.metadata`` took 50 ms a run
    looking it up, twice: once per event)."""
    from openlineage.client import __version__

    return __version__ or "unknown"


class RunLineage:
    """The lineage of one Sieve run: call ``start``, then ``complete`` or ``fail``. Never raises on transport errors.

    ``run_row`` is the run's ``runs`` row (``run_id``, ``dataset``, ``flow_run_id``, ``config_hash``,
    ``code_version``, ``kind``); ``sources`` are the plan's source entries.
    """

    def __init__(self, lake: Lake, cfg: LineageConfig, run_row: dict[str, Any], text_field: str = "text"):
        self.lake = lake
        self.cfg = cfg
        self.row = run_row
        self.text_field = text_field
        self.emitted: list[RunEvent] = []
        # One client per transport, each emitted to on its own: a Marquez that is down never stops the file copy.
        try:
            transports = _transports(lake, run_row["run_id"], cfg) if cfg.enabled else []
            self.clients = [OpenLineageClient(transport=t) for t in transports]
        except Exception as err:  # noqa: BLE001 - lineage must never fail a run (e.g. an unwritable lineage/)
            log.warning("OpenLineage disabled for run %s: %s", run_row["run_id"], err)
            self.clients = []

    def _run(self, extra: dict[str, Any] | None = None) -> Run:
        row = self.row
        facets: dict[str, Any] = {
            "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                version=row.get("code_version") or "unknown", name="sieve", openlineageAdapterVersion=_client_version()
            ),
            "tags": tags_run.TagsRunFacet(
                tags=[
                    tags_run.TagsRunFacetFields(key="sieve.run_id", value=row["run_id"], source="SIEVE"),
                    tags_run.TagsRunFacetFields(key="sieve.dataset", value=row["dataset"], source="SIEVE"),
                    tags_run.TagsRunFacetFields(
                        key="sieve.config_hash", value=row.get("config_hash") or "", source="SIEVE"
                    ),
                ]
            ),
        }
        if row.get("flow_run_id"):
            facets["parent"] = parent_run.ParentRunFacet(
                run=parent_run.Run(runId=str(row["flow_run_id"])),
                job=parent_run.Job(namespace=PREFECT_NAMESPACE, name=JOB_PREFIX),
            )
        facets.update(extra or {})
        return Run(runId=lineage_run_id(row["run_id"]), facets=facets)

    def _job(self) -> Job:
        return Job(
            namespace=self.cfg.namespace,
            name=job_name(self.row["dataset"]),
            facets={
                "jobType": job_type_job.JobTypeJobFacet(processingType="BATCH", integration="SIEVE", jobType="FLOW")
            },
        )

    def _emit(self, state: RunState, sources: list[dict[str, Any]], done: bool, extra: dict | None = None) -> None:
        if not self.clients:
            return
        try:
            event = RunEvent(
                eventType=state,
                eventTime=datetime.now(UTC).isoformat(),
                run=self._run(extra),
                job=self._job(),
                producer=PRODUCER,
                inputs=_inputs(sources, self.text_field, self.row.get("kind") or "text", done),
                outputs=_outputs(self.lake, self.row["dataset"], self.row["run_id"], done),
            )
        except Exception as err:  # noqa: BLE001 - lineage must never fail a run
            log.warning("OpenLineage %s event of run %s not built: %s", state.value, self.row["run_id"], err)
            return
        self.emitted.append(event)
        for client in self.clients:
            try:
                with _quiet_retries():
                    client.emit(event)
            except Exception as err:  # noqa: BLE001 - lineage must never fail a run
                log.warning(
                    "OpenLineage %s event of run %s not sent through %s: %s",
                    state.value, self.row["run_id"], client.transport.kind, err,
                )

    def start(self, sources: list[dict[str, Any]]) -> None:
        """Emit START: the inputs (sizes, versions) and the outputs the run will write (schemas)."""
        self._emit(RunState.START, sources, done=False)

    def complete(self, sources: list[dict[str, Any]]) -> None:
        """Emit COMPLETE: inputs with records read, outputs with this run's row/byte/file counts."""
        self._emit(RunState.COMPLETE, sources, done=True)

    def fail(self, sources: list[dict[str, Any]], err: BaseException) -> None:
        """Emit FAIL with the error message and stack trace."""
        facet = error_message_run.ErrorMessageRunFacet(
            message=f"{type(err).__name__}: {err}"[:2000],
            programmingLanguage="PYTHON",
            stackTrace="".join(traceback.format_exception(err))[-20000:],
        )
        self._emit(RunState.FAIL, sources, done=False, extra={"errorMessage": facet})
