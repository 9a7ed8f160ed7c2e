"""The review app's JSON API, pages, auth, CSRF and release, against a real lake made by the real flow.

The lake (tests/review_fixtures.py) holds planted quarantined records: malformed lines, a record full of markup
meant to run in a reviewer's browser, one with a secret and an e-mail address, long plain records, a duplicate.
Requests go through FastAPI's TestClient to the real app; the CLI runs as a subprocess.
The app's parts that need no lake (token files, filters, highlighting, redirects) are in test_review_units.py.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from flows.review_app import create_app
from tasks.lake import Lake, catalog_lock
from tasks.review.tokens import TokenFile
from tests.conftest import cli, sql
from tests.review_fixtures import ALICE, AWS_KEY, BOB, EMAIL, review_lake, reviews_of, write_tokens


# --- the app against a real lake ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lake(tmp_path_factory, prefect_harness):
    """A private copy of the review lake; returns (path, planted facts, ids by label)."""
    path, planted = review_lake(tmp_path_factory)
    rows = sql(path, "SELECT source_id, source_record, run_id, doc_id FROM quarantine")
    ids = {(sid or f"record-{rec}"): (run, doc) for sid, rec, run, doc in rows}
    return path, planted, ids


@pytest.fixture(scope="module")
def client(lake, tmp_path_factory):
    tokens = write_tokens(tmp_path_factory.mktemp("tok") / "tokens", alice=ALICE, bob=BOB)
    return TestClient(create_app(lake[0], TokenFile(tokens)), base_url="http://127.0.0.1")


def auth(token=ALICE):
    return {"Authorization": f"Bearer {token}"}


def login(client, token=ALICE):
    page = client.get("/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"token": token, "nonce": nonce, "next": "/"}, follow_redirects=False)


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.mark.slow
def test_every_read_and_write_needs_a_token(lake):
    path, _, ids = lake
    tokens = write_tokens(path.parent / "t-auth", alice=ALICE)
    anon = TestClient(create_app(path, TokenFile(tokens)), base_url="http://127.0.0.1")
    run, doc = ids["secret"]
    assert anon.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    for method, url, body in [("GET", "/api/quarantine", None), ("GET", f"/api/records/{doc}", None),
                              ("POST", "/api/reviews", {"doc_id": doc, "verdict": "approve"})]:
        for headers in ({}, auth("wrong-token-but-long-enough"), {"Authorization": f"Basic {ALICE}"}):
            r = anon.request(method, url, json=body, headers=headers)
            assert r.status_code == 401, (method, url, headers)
            assert r.headers["www-authenticate"] == "Bearer"
    assert reviews_of(path, doc) == []


@pytest.mark.slow
def test_queue_api_matches_the_catalog_with_filters_and_paging(lake, client):
    path, planted, ids = lake
    total = sql(path, "SELECT count(*) FROM quarantine")[0][0]
    assert total == planted["counts"]["quarantined"] == len(ids) == 10
    everything = client.get("/api/quarantine?status=all&limit=500&facets=true", headers=auth()).json()
    assert everything["total"] == total and everything["statuses"]["all"] == total
    want = dict(sql(path, "SELECT r, count(*) FROM quarantine, unnest(reasons) t(r) GROUP BY r"))
    assert everything["reasons"] == want
    assert want["input.malformed"] == 2 and want["pii.SECRET_AWS_ACCESS_KEY"] == 1
    seen = []
    for offset in range(0, total, 4):
        page = client.get(f"/api/quarantine?status=all&limit=4&offset={offset}", headers=auth()).json()
        assert page["total"] == total and len(page["items"]) == min(4, total - offset)
        seen += [(i["run_id"], i["doc_id"]) for i in page["items"]]
    assert seen == [(i["run_id"], i["doc_id"]) for i in everything["items"]] and len(set(seen)) == total
    malformed = client.get("/api/quarantine?status=all&reason=input.malformed", headers=auth()).json()
    assert malformed["total"] == 2 and all(i["reasons"] == ["input.malformed"] for i in malformed["items"])
    assert all(i["preview"] for i in malformed["items"])  # the raw bytes stand in for the missing text
    family = client.get("/api/quarantine?status=all&reason=pii", headers=auth()).json()
    assert [i["doc_id"] for i in family["items"]] == [ids["secret"][1]]
    assert client.get("/api/quarantine?status=all&dataset=web", headers=auth()).json()["total"] == total
    assert client.get("/api/quarantine?status=all&dataset=forum", headers=auth()).json()["total"] == 0
    assert client.get("/api/quarantine?status=all&source=reviews.jsonl", headers=auth()).json()["total"] == total
    assert client.get("/api/quarantine?status=all&source=nowhere", headers=auth()).json()["total"] == 0
    assert client.get(f"/api/quarantine?status=all&run={planted['run_id']}", headers=auth()).json()["total"] == total
    for bad in ("status=done", "limit=0", "limit=501", "offset=-1", "reason=nope.x", "dataset=a%27b"):
        r = client.get(f"/api/quarantine?{bad}", headers=auth())
        assert r.status_code in (400, 422) and bad.split("=")[0] in r.json()["error"], bad


@pytest.mark.slow
def test_record_api_has_spans_scores_cluster_and_404s(lake, client):
    path, planted, ids = lake
    run, doc = ids["secret"]
    rec = client.get(f"/api/records/{doc}", headers=auth()).json()
    assert rec["run_id"] == run and rec["source_id"] == "secret" and rec["status"] in ("pending", "approved")
    spans = {f["reason"]: [(s["start"], s["end"]) for s in f["spans"]] for f in rec["findings"]}
    (s0, e0), = spans["pii.SECRET_AWS_ACCESS_KEY"]
    (s1, e1), = spans["pii.EMAIL_ADDRESS"]
    assert rec["text"][s0:e0] == AWS_KEY and rec["text"][s1:e1] == EMAIL
    assert {f["action"] for f in rec["findings"]} == {"quarantine", "redact"}
    assert {(s["stage"], s["name"]) for s in rec["scores"]} >= {("pii", "count"), ("pii", "density")}
    kept_run, kept = ids["plain-0"]
    cluster = client.get(f"/api/records/{kept}", headers=auth()).json()["cluster"]
    copy_id = sql(path, "SELECT doc_id FROM documents WHERE source_id = 'plain-copy'")[0][0]
    assert [(c["doc_id"], c["duplicate_of"], c["method"]) for c in cluster] == [(copy_id, kept, "exact")]
    for bad in ("0" * 24, "..%2F..%2Fcatalog.duckdb", "a b"):
        assert client.get(f"/api/records/{bad}", headers=auth()).status_code == 404
    assert client.get(f"/api/records/{doc}?run=nope", headers=auth()).status_code == 404


@pytest.mark.slow
def test_api_review_is_appended_with_the_reviewer_of_the_token(lake, client):
    path, _, ids = lake
    run, doc = ids["plain-2"]
    r = client.post("/api/reviews", json={"doc_id": doc, "verdict": "approve", "note": "fine <b>really</b>"},
                    headers=auth(BOB))
    assert r.status_code == 201 and r.json()["reviewer"] == "bob" and r.json()["run_id"] == run
    r = client.post("/api/reviews", json={"doc_id": doc, "verdict": "reject", "reviewer": "mallory"},
                    headers=auth())
    assert r.status_code == 422  # the reviewer comes from the token, never from the body
    assert client.post("/api/reviews", json={"doc_id": doc, "verdict": "maybe"}, headers=auth()).status_code == 400
    assert client.post("/api/reviews", json={"doc_id": "0" * 24, "verdict": "reject"},
                       headers=auth()).status_code == 404
    assert client.post("/api/reviews", json={"doc_id": doc, "verdict": "reject", "note": "on second thought"},
                       headers=auth()).status_code == 201
    assert reviews_of(path, doc) == [("bob", "approved", "fine <b>really</b>"),
                                     ("alice", "rejected", "on second thought")]
    assert client.get(f"/api/records/{doc}", headers=auth()).json()["status"] == "rejected"
    rejected = client.get("/api/quarantine?status=rejected&limit=500", headers=auth()).json()["items"]
    assert doc in {i["doc_id"] for i in rejected}
    journal = [r for f in sorted(path.glob(f"provenance/reviews/run={run}/*.parquet"))
               for r in pq.read_table(f).to_pylist() if r["doc_id"] == doc]
    assert [(r["reviewer"], r["verdict"], r["note"]) for r in journal] == reviews_of(path, doc)


@pytest.mark.slow
def test_browser_forms_need_a_session_and_csrf(lake, client):
    path, _, ids = lake
    run, doc = ids["plain-3"]
    assert login(client, "not-the-token-at-all-xx").status_code == 401
    no_nonce = client.post("/login", data={"token": ALICE, "nonce": "", "next": "/"}, follow_redirects=False)
    assert no_nonce.status_code == 401
    ok = login(client)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and ALICE not in cookie
    page = client.get(f"/records/{run}/{doc}?pos=0&status=pending")
    assert page.status_code == 200
    bad = client.get("/?page=0")  # a page's bad parameter is an error page, not FastAPI's JSON list
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"] and "page:" in bad.text
    url = f"/records/{run}/{doc}/review"
    for token in ("", "forged"):
        r = client.post(url, data={"csrf": token, "verdict": "reject", "f_status": "pending", "pos": "0"},
                        follow_redirects=False)
        assert r.status_code == 403
    assert reviews_of(path, doc) == []
    r = client.post(url, data={"csrf": csrf_of(page.text), "verdict": "reject", "note": "spam", "pos": "0",
                               "f_status": "pending"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue/at?status=pending&pos=0"
    assert reviews_of(path, doc) == [("alice", "rejected", "spam")]
    nxt = client.get(r.headers["location"], follow_redirects=False).headers["location"]
    assert nxt.startswith("/records/") and doc not in nxt  # the next pending record, not the one just reviewed
    # Revoking the token (removing its line) ends the session at its next request.
    tokens = write_tokens(path.parent / "t-revoke", alice=ALICE, bob=BOB)
    app = create_app(path, TokenFile(tokens))
    other = TestClient(app, base_url="http://127.0.0.1")
    login(other)
    assert other.get("/", follow_redirects=False).status_code == 200
    write_tokens(tokens, bob=BOB)
    assert other.get("/", follow_redirects=False).status_code == 303


@pytest.mark.slow
def test_a_verdict_on_a_record_someone_reviewed_meanwhile_is_refused(lake, tmp_path):
    path, _, ids = lake
    run, doc = ids["plain-0"]
    app = create_app(path, TokenFile(write_tokens(tmp_path / "tokens", alice=ALICE, bob=BOB)))
    alice, bob = (TestClient(app, base_url="http://127.0.0.1") for _ in range(2))
    login(alice)
    login(bob, BOB)
    url = f"/records/{run}/{doc}"
    pages = {name: c.get(url + "?status=pending&pos=0") for name, c in (("alice", alice), ("bob", bob))}
    seen = {k: re.search(r'name="seen" value="([^"]+)"', v.text).group(1) for k, v in pages.items()}
    assert seen == {"alice": "none", "bob": "none"}
    form = {"verdict": "reject", "note": "spam", "pos": "0", "f_status": "pending"}
    r = bob.post(url + "/review", data={**form, "csrf": csrf_of(pages["bob"].text), "seen": seen["bob"]},
                 follow_redirects=False)
    assert r.status_code == 303 and reviews_of(path, doc) == [("bob", "rejected", "spam")]
    late = alice.post(url + "/review", data={**form, "verdict": "approve", "note": "fine",
                                             "csrf": csrf_of(pages["alice"].text), "seen": seen["alice"]},
                      follow_redirects=False)
    assert late.status_code == 303 and late.headers["location"] == url + "?status=pending&pos=0"
    again = alice.get(late.headers["location"])
    assert "reviewed since you opened it: rejected by bob" in again.text
    assert reviews_of(path, doc) == [("bob", "rejected", "spam")]  # alice's stale approval was not recorded
    # Now she has seen bob's verdict: her form carries it, and her approval is recorded.
    fresh = re.search(r'name="seen" value="([^"]+)"', again.text).group(1)
    assert fresh != "none"
    ok = alice.post(url + "/review", data={**form, "verdict": "approve", "csrf": csrf_of(again.text),
                                           "seen": fresh}, follow_redirects=False)
    assert ok.status_code == 303 and reviews_of(path, doc)[-1] == ("alice", "approved", "spam")
    # The API: `seen` from GET /api/records, optional.
    rec = alice.get(f"/api/records/{doc}", headers=auth()).json()
    stale = alice.post("/api/reviews", json={"doc_id": doc, "verdict": "reject", "seen": fresh}, headers=auth(BOB))
    assert stale.status_code == 409 and "approved by alice" in stale.json()["error"]
    current = alice.post("/api/reviews", json={"doc_id": doc, "verdict": "reject", "seen": rec["seen"]},
                         headers=auth(BOB))
    assert current.status_code == 201 and reviews_of(path, doc)[-1] == ("bob", "rejected", "")


@pytest.mark.slow
def test_bulk_review_needs_the_confirmed_count(lake, client):
    path, _, ids = lake
    login(client)
    confirm = client.get("/bulk?verdict=reject&reason=input.malformed&status=all")
    assert confirm.status_code == 200 and "Reject 2 records?" in confirm.text
    form = {"csrf": csrf_of(confirm.text), "verdict": "rejected", "f_reason": "input.malformed", "f_status": "all",
            "note": "unparseable"}
    before = sql(path, "SELECT count(*) FROM reviews")[0][0]
    stale = client.post("/bulk", data={**form, "expected": "3"}, follow_redirects=False)
    assert stale.status_code == 409 and sql(path, "SELECT count(*) FROM reviews")[0][0] == before
    done = client.post("/bulk", data={**form, "expected": "2"}, follow_redirects=False)
    assert done.status_code == 303
    rows = sql(path, "SELECT reviewer, verdict, note FROM reviews WHERE note = 'unparseable'")
    assert rows == [("alice", "rejected", "unparseable")] * 2


@pytest.mark.slow
def test_hostile_text_is_escaped_and_the_app_is_locked_down(lake, client, caplog):
    path, planted, ids = lake
    caplog.set_level(logging.DEBUG)
    login(client)
    run, doc = ids["hostile"]
    page = client.get(f"/records/{run}/{doc}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/review.js" defer>']
    assert "&lt;script&gt;window.__sieve_pwned_script" in page.text
    assert "<img" not in page.text and 'href="javascript:' not in page.text and "<svg" not in page.text
    assert page.text.count("<textarea") == 1  # only the note field: the payload's </textarea> broke nothing
    assert "\u202e" not in page.text and "U+202E" in page.text  # a bidi override is shown, not obeyed
    assert "\x1b" not in page.text and "U+001B" in page.text
    assert "&lt;b&gt;meta is hostile too&lt;/b&gt;" in page.text
    assert client.get("/static/review.js").headers["content-security-policy"] == csp
    assert client.get("/?lake=/etc").status_code == 400
    assert client.get("/api/quarantine?lake=/tmp", headers=auth()).status_code == 400
    for bad in ("/static/../review_app.py", "/static/%2e%2e/%2e%2e/review_app.py", "/static/..%2Freview_app.py"):
        r = client.get(bad)
        assert r.status_code == 404 and "create_app" not in r.text, bad
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "alice" in logs and ALICE not in logs and BOB not in logs


@pytest.mark.slow
def test_writes_wait_for_a_refreshing_run_then_answer_503(lake, tmp_path):
    path, _, ids = lake
    run, doc = ids["plain-4"]
    app = create_app(path, TokenFile(write_tokens(tmp_path / "tokens", alice=ALICE)), write_wait=0.5)
    c = TestClient(app, base_url="http://127.0.0.1")
    with catalog_lock(Lake(path)):  # what `sieve run` holds while it refreshes the catalog
        started = time.monotonic()
        r = c.post("/api/reviews", json={"doc_id": doc, "verdict": "approve"}, headers=auth())
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert 0.4 < time.monotonic() - started < 10
        assert c.get("/api/quarantine", headers=auth()).status_code == 200  # reads need no lock
    assert reviews_of(path, doc) == []
    # A reader waits while another process holds the catalog open for writing, then gets its answer.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " time.sleep(1.5); c.close()", str(path / "catalog.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        assert c.get("/api/quarantine?status=all", headers=auth()).status_code == 200
        assert time.monotonic() - started > 0.2
    finally:
        holder.wait(timeout=30)


@pytest.mark.slow
def test_cli_list_show_approve(lake):
    path, _, ids = lake
    run, doc = ids["plain-5"]
    listed = cli("review", "list", "--lake", path, "--status", "all", "--reason", "input.too_long", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout.splitlines()[0])
    assert doc in {r["doc_id"] for r in rows} and [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    hostile = cli("review", "show", ids["hostile"][1], "--lake", path)
    assert hostile.returncode == 0 and "input.too_long" in hostile.stdout and "--- text" in hostile.stdout
    assert "\x1b" not in hostile.stdout and "\u202e" not in hostile.stdout
    assert "\u27e8U+001B\u27e9[2J" in hostile.stdout  # a terminal escape is printed, never obeyed
    approved = cli("review", "approve", doc, "--lake", path, "--reviewer", "carol", "--note", "ok from cli")
    assert approved.returncode == 0 and f"approved {run}/{doc} by carol" in approved.stdout
    assert reviews_of(path, doc)[-1] == ("carol", "approved", "ok from cli")
    bad = cli("review", "approve", "--lake", path, "--all", "--reason", "spam")
    assert bad.returncode == 2 and bad.stderr.startswith("sieve: error: --reason: unknown family")


@pytest.mark.slow
def test_cli_reviews_many_ids_in_one_step_or_none(lake):
    # One at a time, each id cost a catalog connection and a journal file (200 ids: 43 s), and a bad id late in the
    # list left the ones before it recorded
    path, _, ids = lake
    docs = [ids["plain-4"][1], ids["plain-2"][1]]
    journal = path / "provenance" / "reviews"
    before = set(journal.rglob("*.parquet"))

    def last_by_dave(doc):
        rows = reviews_of(path, doc)
        return rows[-1] if rows and rows[-1][0] == "dave" else None

    bad = cli("review", "reject", *docs, "0" * 24, "--lake", path, "--reviewer", "dave")
    assert bad.returncode == 2 and f"no quarantined record {'0' * 24}; nothing was recorded" in bad.stderr
    assert set(journal.rglob("*.parquet")) == before and not any(map(last_by_dave, docs))
    done = cli("review", "reject", *docs, docs[0], "--lake", path, "--reviewer", "dave", "--note", "batch")
    assert done.returncode == 0, done.stderr
    assert [line.split()[1].split("/")[1] for line in done.stdout.splitlines()] == docs  # given order, once each
    assert [last_by_dave(d) for d in docs] == [("dave", "rejected", "batch")] * 2
    assert len(set(journal.rglob("*.parquet")) - before) == 1  # one journal file for the one run reviewed


@pytest.mark.slow
def test_release_publishes_approved_records_once_with_lineage(lake, client):
    path, planted, ids = lake
    decide = {"secret": "approve", "hostile": "approve", "record-16": "approve", "plain-1": "reject"}
    for label, verdict in decide.items():
        run, doc = ids[label]
        r = client.post("/api/reviews", json={"doc_id": doc, "verdict": verdict, "run_id": run}, headers=auth())
        assert r.status_code == 201, label
    want = {d for (d,) in sql(path, "SELECT doc_id FROM quarantine q JOIN (SELECT run_id, doc_id, "
                                    "arg_max(verdict, reviewed_at) v FROM reviews GROUP BY ALL) USING (run_id, doc_id) "
                                    "WHERE v = 'approved' AND q.text IS NOT NULL")}
    assert {ids["secret"][1], ids["hostile"][1]} <= want and ids["plain-1"][1] not in want
    out = cli("release", "--lake", path, "--dataset", "web", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    rel = summary["run_id"]
    assert summary["released"] == len(want) and summary["no_text"] >= 1 and summary["redactions"] == 2
    clean = dict(sql(path, "SELECT doc_id, text FROM clean WHERE run_id = ? AND dataset = 'web'", [rel]))
    assert set(clean) == want
    secret = clean[ids["secret"][1]]
    assert "<SECRET_AWS_ACCESS_KEY>" in secret and "<EMAIL_ADDRESS>" in secret
    assert AWS_KEY not in secret and EMAIL not in secret
    assert clean[ids["hostile"][1]] == planted["hostile"]
    docs = sql(path, "SELECT doc_id, outcome, released_from, output_uri FROM documents WHERE run_id = ?", [rel])
    assert {d[0] for d in docs} == want
    assert {(o, f) for _, o, f, _ in docs} == {("clean", planted["run_id"])}
    assert all(Path(u).is_relative_to(path / "clean" / "web" / f"run={rel}") for *_, u in docs)
    (status, kind, code, config), = sql(path, "SELECT status, kind, code_version, config_json FROM runs "
                                              "WHERE run_id = ?", [rel])
    assert (status, kind) == ("completed", "release") and code.startswith("sieve") and "release" in config
    files = sql(path, "SELECT role, uri, rows FROM files WHERE run_id = ?", [rel])
    assert {(r, n) for r, _, n in files} == {("clean", len(want)), ("provenance.documents", len(want))}
    lineage = sql(path, "SELECT d.doc_id, r.reviewer, r.verdict FROM documents d JOIN reviews r "
                        "ON r.run_id = d.released_from AND r.doc_id = d.doc_id WHERE d.run_id = ?", [rel])
    assert {(d, v) for d, _, v in lineage if d == ids["secret"][1]} == {(ids["secret"][1], "approved")}
    from tasks.provenance import completed_runs

    assert rel not in completed_runs(Lake(path), "web")  # never a corpus that dedup compares against
    again = cli("release", "--lake", path, "--dataset", "web", "--json")
    assert again.returncode == 0 and json.loads(again.stdout.splitlines()[-1])["run_id"] is None
    assert sql(path, "SELECT count(*) FROM clean WHERE run_id NOT IN (SELECT run_id FROM runs "
                     "WHERE kind <> 'release')")[0][0] == len(want)
    assert sql(path, "SELECT count(*) FROM runs WHERE kind = 'release'")[0][0] == 1
