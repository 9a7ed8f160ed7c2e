"""The PII stage as a whole: findings, scores and evidence without raw values, config, salt, quiet logs, offline
tldextract, and the real flow leaking no planted value anywhere.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tasks.detectors.pii import PiiConfig, PiiStage, lake_salt, value_hash
from tasks.detectors.pii_engine import offline_tld_extract, quiet_presidio_logs
from tasks.detectors.pii_secrets import SECRET_ENTITIES
from tasks.redact import redact_text
from tasks.stage import DocBatch
from tests.pii_helpers import AWS, DB_PASSWORD, IBAN, VISA


def batch(*texts: str) -> DocBatch:
    return DocBatch(doc_ids=[f"d{i}" for i in range(len(texts))], texts=list(texts))


@pytest.fixture(scope="module")
def stage() -> PiiStage:
    st = PiiStage(PiiConfig(profile="patterns", dense_min_count=3, dense_per_kchar=20))
    return st


def test_stage_findings_scores_and_evidence_hold_no_raw_value(stage):
    email, phone = "lee.ardent@example.com", "(212) 555-0143"
    texts = [f"Contact {email} or {phone}.", "Nothing personal in this sentence at all.",
             f"Key {AWS} leaked here.", f"{email} 372-84-5519 {phone} {VISA}"]
    result = stage.run(batch(*texts))
    reasons = {(f.row, f.reason) for f in result.findings}
    assert {(0, "pii.EMAIL_ADDRESS"), (0, "pii.PHONE_NUMBER"), (2, "pii.SECRET_AWS_ACCESS_KEY"),
            (3, "pii.dense")} <= reasons
    assert not any(row == 1 for row, _ in reasons)
    counts = {(s.row, s.name): s.value for s in result.scores}
    assert [counts[(r, "count")] for r in range(4)] == [2.0, 0.0, 1.0, 4.0]  # every record gets its count
    assert counts[(0, "count.EMAIL_ADDRESS")] == 1.0 and (1, "density") in counts
    redacted, _ = redact_text(texts[0], [(s.start, s.end, s.label) for f in result.findings if f.row == 0
                                         for s in f.spans])
    assert redacted == "Contact <EMAIL_ADDRESS> or <PHONE_NUMBER>."
    dumped = json.dumps([f.evidence for f in result.findings])
    for value in (email, phone, AWS, "372-84-5519", VISA):
        assert value not in dumped
    item = next(f for f in result.findings if f.reason == "pii.EMAIL_ADDRESS").evidence["items"][0]
    assert set(item) == {"start", "end", "score", "recognizer", "hash"}
    assert item["hash"] == value_hash(stage.salt, "EMAIL_ADDRESS", email)
    assert item["hash"] != value_hash(b"another salt", "EMAIL_ADDRESS", email)


def test_config_rejects_unknown_entities_with_the_valid_ones():
    from tasks.registry import validate_stage_config

    with pytest.raises(ValueError, match=r"stages\.pii\.entities.*unknown entity 'PASSPORT'.*EMAIL_ADDRESS"):
        validate_stage_config("pii", {"entities": ["PASSPORT"]})
    with pytest.raises(ValueError, match=r"stages\.pii\.profile.*valid values"):
        validate_stage_config("pii", {"profile": "fast"})


def test_salt_is_created_once_private_and_stable(tmp_path):
    first = lake_salt(tmp_path)
    path = tmp_path / "_secrets" / "pii_salt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert lake_salt(tmp_path) == first and len(first) == 32
    assert lake_salt(tmp_path / "other") != first
    assert lake_salt(None) == lake_salt(None) != first


def test_presidio_log_lines_never_carry_the_value(caplog):
    quiet_presidio_logs()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("presidio-analyzer").error("Failed to validate text %s", IBAN)
    assert caplog.records and IBAN not in caplog.text and "withheld" in caplog.text


def test_tldextract_makes_no_network_attempt(monkeypatch):
    import tldextract

    attempts: list[object] = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network disabled by the test")

    def refuse_lookup(host, *args, **kwargs):
        attempts.append(host)
        raise socket.gaierror("name lookup disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    # Control: the library's default configuration does try the network (so the trap above works).
    logging.getLogger("tldextract").disabled = True  # its fallback prints a traceback per URL
    try:
        tldextract.TLDExtract(cache_dir=None)("mail.example.co.uk")
    finally:
        logging.getLogger("tldextract").disabled = False
    assert attempts, "the default extractor was expected to try downloading the suffix list"
    attempts.clear()
    offline_tld_extract.cache_clear()
    extractor = offline_tld_extract()
    assert extractor("mail.example.co.uk").suffix == "co.uk"
    assert tldextract.extract("shop.example.com.au").suffix == "com.au"  # the module default is offline too
    from tasks.detectors.pii_recognizers import SieveEmailRecognizer

    text = "write to kim@example.co.uk"
    assert [text[r.start:r.end] for r in SieveEmailRecognizer(extractor).analyze(text, ["EMAIL_ADDRESS"])] == [
        "kim@example.co.uk"]
    assert attempts == []


PLANTED = {
    "name": "Ottoline Vasquez-Brandt", "email": "ottoline.vb@example.net", "phone": "(415) 555-0182",
    "card": VISA, "ssn": "372-84-5519", "iban": IBAN, "password": DB_PASSWORD, "aws": AWS,
}


@pytest.mark.slow
def test_flow_redacts_quarantines_and_leaks_nothing(tmp_path, prefect_harness):
    from tests.conftest import cli, sql

    p = PLANTED
    records = [
        {"id": "r1", "text": f"Please write to {p['name']} at {p['email']} or call {p['phone']} about the invoice."},
        {"id": "r2", "text": f"Our deploy used postgres://deployer:{p['password']}@db.internal:5432/sales and "
                             f"the key {p['aws']} until last week."},
        {"id": "r3", "text": f"Refund to card {p['card']}, IBAN {p['iban']}, SSN {p['ssn']}."},
        {"id": "r4", "text": "Release notes for version 1.2.3.4 mention a faster start and a new settings page."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    lake = tmp_path / "lake"
    proc = cli("run", src, "--lake", lake, "--dataset", "pii", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome = dict(sql(lake, "SELECT source_id, outcome FROM documents"))
    assert outcome == {"r1": "clean", "r2": "quarantined", "r3": "clean", "r4": "clean"}
    reasons = {r for (r,) in sql(lake, "SELECT reason FROM decisions WHERE doc_id IN "
                                       "(SELECT doc_id FROM documents WHERE source_id = 'r2')")}
    assert {"pii.SECRET_URL_CREDENTIALS", "pii.SECRET_AWS_ACCESS_KEY"} <= reasons
    clean = {r["source_id"]: r["text"] for f in (lake / "clean").rglob("*.parquet")
             for r in pq.read_table(f).to_pylist()}
    assert clean["r1"] == "Please write to <PERSON> at <EMAIL_ADDRESS> or call <PHONE_NUMBER> about the invoice."
    assert clean["r3"] == "Refund to card <CREDIT_CARD>, IBAN <IBAN_CODE>, SSN <US_SSN>."
    assert clean["r4"] == records[3]["text"]
    quarantined = [r["text"] for f in (lake / "quarantine").rglob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert quarantined == [records[1]["text"]]  # the original is kept for review
    assert stat.S_IMODE((lake / "_secrets" / "pii_salt").stat().st_mode) == 0o600

    haystacks = {"stdout": proc.stdout, "stderr": proc.stderr}
    for f in sorted((lake / "provenance").rglob("*")):
        if f.is_file():
            haystacks[str(f)] = f.read_bytes().decode("latin-1")
            if f.suffix == ".parquet":
                haystacks[f"{f} (decoded)"] = json.dumps(pq.read_table(f).to_pylist(), default=str)
    haystacks["catalog file"] = (lake / "catalog.duckdb").read_bytes().decode("latin-1")
    for table in ("runs", "sources", "documents", "decisions", "scores", "duplicates", "files"):
        haystacks[f"catalog {table}"] = json.dumps(sql(lake, f"SELECT * FROM {table}"), default=str)
    haystacks.update(_prefect_records())
    assert len(haystacks) > 10
    leaks = [(where, key) for where, hay in haystacks.items() for key, value in p.items() if value in hay]
    assert leaks == []


def _prefect_records() -> dict[str, str]:
    """Every artifact and log line the Prefect API holds (the harness's server, shared with the CLI)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
        logs = client.read_logs()
    return {"prefect artifacts": json.dumps([a.model_dump(mode="json") for a in artifacts], default=str),
            "prefect logs": "\n".join(log.message for log in logs)}


def test_test_file_plants_distinct_values():
    assert len(set(PLANTED.values())) == len(PLANTED) and all(len(v) >= 10 for v in PLANTED.values())
    assert os.path.basename(__file__) == "test_pii_stage.py" and Path(__file__).exists()
    assert set(SECRET_ENTITIES) >= {"SECRET_PRIVATE_KEY", "SECRET_PASSWORD", "SECRET_URL_CREDENTIALS"}
