"""The CLI's wiring around the flow: parameters sent to Prefect as they are, without FastAPI's encoder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.curate import curate_corpus
from flows.runner import plain_json_parameters


def test_plain_parameters_are_sent_unchanged() -> None:
    flow = plain_json_parameters(curate_corpus.with_options())
    params = {"inputs": ["a.jsonl", "b/"], "lake": "L", "config": None, "workers": 0, "incremental": False,
              "meta": {"k": [1, 2.5, "x"]}}
    assert flow.serialize_parameters(params) == params
    assert flow.serialize_parameters(params) == curate_corpus.serialize_parameters(params)


def test_other_values_still_go_through_prefect() -> None:
    flow = plain_json_parameters(curate_corpus.with_options())
    params = {"inputs": [Path("a.jsonl")], "when": dt.date(2026, 11, 29), "pair": ("a", 1)}
    got = flow.serialize_parameters(params)
    assert got == {"inputs": ["a.jsonl"], "when": "2026-11-29", "pair": ["a", 1]}
    assert got == curate_corpus.serialize_parameters(params)
