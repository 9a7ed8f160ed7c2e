"""datatrove's 4-step MinHash pipeline on a JSONL corpus (run by benchmarks/neardup.py in its own venv).

Usage: /tmp/venv-datatrove/bin/python benchmarks/neardup_datatrove.py CORPUS.jsonl WORK_DIR
Prints one JSON line: wall and CPU seconds per step, and the path of ``pairs.jsonl``
({"doc": removed id, "kept": kept id}).
Settings as fair as we can make them: 16 bands x 8 rows (the same 128 permutations as Sieve), word 5-grams,
one worker, and a whitespace word tokenizer instead of its default spaCy one (98% of its time,
../shared/NOTES.md).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.hashing import HashConfig
from datatrove.utils.word_tokenizers import WordTokenizer


class WhitespaceTokenizer(WordTokenizer):
    """Split on whitespace (datatrove's default English tokenizer is spaCy)."""

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return text.split("\n")

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        raise NotImplementedError


def main(corpus: str, work: str) -> None:
    work_dir = Path(work)
    cfg = MinhashConfig(n_grams=5, num_buckets=16, hashes_per_bucket=8,
                        hash_config=HashConfig(precision=64, hash_fc="xxhash"))
    src = str(Path(corpus).parent)
    glob = Path(corpus).name
    logs = str(work_dir / "logs")

    def reader():
        return JsonlReader(src, glob_pattern=glob, id_key="id", text_key="text")

    steps = {
        "1_signatures": ([reader(), MinhashDedupSignature(str(work_dir / "sigs"), config=cfg,
                                                          language=WhitespaceTokenizer())], 1),
        "2_buckets": ([MinhashDedupBuckets(str(work_dir / "sigs"), str(work_dir / "buckets"), config=cfg)],
                      cfg.num_buckets),
        "3_cluster": ([MinhashDedupCluster(str(work_dir / "buckets"), str(work_dir / "remove"), config=cfg,
                                           save_cluster_id=True)], 1),
        "4_filter": ([reader(), MinhashDedupFilter(str(work_dir / "remove"), load_cluster_ids=True,
                                                   exclusion_writer=JsonlWriter(str(work_dir / "removed"))),
                      JsonlWriter(str(work_dir / "kept"))], 1),
    }
    seconds, cpu = {}, {}
    for name, (pipeline, tasks) in steps.items():
        started, cpu_started = time.perf_counter(), time.process_time()
        # workers=1: LocalPipelineExecutor runs the tasks in this process, so process_time() covers them
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=f"{logs}/{name}",
                              skip_completed=False).run()
        seconds[name] = time.perf_counter() - started
        cpu[name] = time.process_time() - cpu_started
    # kept copy of each cluster = its member that was not removed
    import gzip

    def rows(folder: str):
        for f in sorted((work_dir / folder).glob("*.jsonl.gz")):
            with gzip.open(f, "rt") as fh:
                for line in fh:
                    yield json.loads(line)

    kept_of = {}
    for r in rows("kept"):
        cid = r["metadata"].get("minhash_cluster_id", -1)
        if cid != -1:
            kept_of[cid] = r["id"]
    with open(work_dir / "pairs.jsonl", "w") as out:
        for r in rows("removed"):
            out.write(json.dumps({"doc": r["id"], "kept": kept_of.get(r["metadata"]["minhash_cluster_id"])}) + "\n")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "pairs": str(work_dir / "pairs.jsonl")}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
