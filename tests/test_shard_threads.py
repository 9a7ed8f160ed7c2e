"""Shards staged by threads of one process (``--task-runner threads``, a Dask worker with several threads) share
the process's stage instances: staging them at once must give what staging them one by one gives."""

from __future__ import annotations

import json
import random
import threading

import pyarrow.parquet as pq

from schemas.config import SieveConfig
from tasks import plan, shard
from tasks.registry import DOCUMENT_STAGES


def _inputs(folder, files=4, records=300):
    rnd = random.Random(5)
    paths = []
    for f in range(files):
        path = folder / f"in{f}.jsonl"
        # made-up words: every batch brings words the toxicity scorer has not seen (it grows its table for them)
        lines = [" ".join("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(4, 9)))
                          for _ in range(30)) for _ in range(records)]
        path.write_text("".join(json.dumps({"text": t}) + "\n" for t in lines))
        paths.append(str(path))
    return paths


def _stage_all(lake, specs, config_json, threaded):
    errors: list[str] = []

    def one(spec):
        out = lake / "_work" / "d" / "stage" / spec.key
        try:
            shard.process_shard({"index": spec.index, "key": spec.key, "slices": spec.slices}, str(out), config_json)
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(err))

    if threaded:
        threads = [threading.Thread(target=one, args=(s,)) for s in specs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for s in specs:
            one(s)
    assert errors == []
    scores = {}
    for s in specs:
        table = pq.read_table(lake / "_work" / "d" / "stage" / s.key / "scores.parquet")
        for row in table.to_pylist():
            scores[(row["doc_id"], row["name"])] = row["value"]
    return scores


def test_threads_staging_shards_at_once_match_staging_them_one_by_one(tmp_path):
    paths = _inputs(tmp_path)
    stages = {name: {"enabled": name == "toxicity"} for name in DOCUMENT_STAGES}
    cfg = SieveConfig.model_validate({"stages": stages, "shards": {"batch_records": 50}})
    _, slices = plan.plan_sources(paths, 1 << 20, None)
    specs = plan.pack_shards(slices, 1, "salt")  # one shard per file
    assert len(specs) == 4
    together = _stage_all(tmp_path / "lake1", specs, cfg.model_dump_json(), threaded=True)
    alone = _stage_all(tmp_path / "lake2", specs, cfg.model_dump_json(), threaded=False)
    assert len({doc for doc, _ in together}) == 4 * 300 and together == alone
