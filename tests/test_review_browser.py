"""The review app in a real browser: ``sieve review serve`` on a loopback port, Debian's chromium driven by Playwright.

Covers what only a browser can show: keyboard review (j/k/a/r, n for the note), that a quarantined record full of
markup renders as text and runs nothing under the app's CSP, the API refusing a write without a token and
recording one with it, and a release that puts the approved record into clean. Screenshots of the queue and a
record page go to the test's temp folder, and to docs/ when SIEVE_REVIEW_SCREENSHOTS=1 (how docs/review-*.png are
made). Skipped, with the reason, when /usr/bin/chromium is missing (``apt-get install -y chromium``): the browser
is never downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SIEVE, cli, cli_env, sql
from tests.review_fixtures import review_lake, write_tokens

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "browser-token-5e1f9c3a7b2d8e4f"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install -y chromium); no browser is downloaded"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, prefect_harness):
    """``sieve review serve`` as a real process on a free loopback port; yields (base URL, lake, planted, log)."""
    lake, planted = review_lake(tmp_path_factory)
    folder = tmp_path_factory.mktemp("serve")
    tokens = write_tokens(folder / "tokens", alice=TOKEN)
    port = _free_port()
    log = folder / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*SIEVE, "review", "serve", "--lake", str(lake), "--port", str(port),
                                 "--tokens", str(tokens)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env=cli_env())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start: " + log.read_text()
            time.sleep(0.3)
        yield base, lake, planted, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A logged-in page; collects dialogs (none may ever open) and console messages."""
    base = server[0]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    pg.dialogs, pg.console = [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: pg.console.append(m.text))
    pg.goto(f"{base}/")
    assert "/login" in pg.url
    pg.fill("#token", TOKEN)
    pg.press("#token", "Enter")
    pg.wait_for_url(f"{base}/")
    yield pg
    context.close()


def _shot(pg, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    pg.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("SIEVE_REVIEW_SCREENSHOTS") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(path, ROOT / "docs" / name)


def _at(run: str, doc: str, pos: int) -> re.Pattern:
    return re.compile(re.escape(f"/records/{run}/{doc}?") + f".*pos={pos}")


def _queue(lake):
    return sql(lake, "SELECT run_id, doc_id, source_id FROM quarantine q WHERE NOT EXISTS (SELECT 1 FROM reviews r "
                     "WHERE r.doc_id = q.doc_id) ORDER BY run_id DESC, source_uri, source_record, doc_id")


def test_review_with_the_keyboard(page, server, tmp_path):
    base, lake, _, _ = server
    queue = _queue(lake)
    rows = page.locator("#queue tr.row")
    assert rows.count() == len(queue) == 10
    _shot(page, "review-queue.png", tmp_path)
    assert rows.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert rows.nth(2).get_attribute("aria-selected") == "true" and "selected" not in rows.nth(0).get_attribute("class")
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(_at(*queue[2][:2], 2))
    page.keyboard.press("k")
    page.wait_for_url(_at(*queue[1][:2], 1))
    page.keyboard.press("j")
    page.wait_for_url(_at(*queue[2][:2], 2))
    page.keyboard.press("n")
    page.keyboard.type("all good, a real review")  # letters typed in the note are text, not commands
    assert sql(lake, "SELECT count(*) FROM reviews")[0][0] == 0
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    # Approved: the record left the pending queue, so the same position now shows the next one.
    page.wait_for_url(_at(*queue[3][:2], 2))
    assert page.locator(".flash").inner_text() == f"Approved {queue[2][1]}."
    page.keyboard.press("r")
    page.wait_for_url(_at(*queue[4][:2], 2))
    got = sql(lake, "SELECT doc_id, reviewer, verdict, note FROM reviews ORDER BY reviewed_at")
    assert got == [(queue[2][1], "alice", "approved", "all good, a real review"),
                   (queue[3][1], "alice", "rejected", "")]
    page.keyboard.press("u")
    page.wait_for_url(f"{base}/?status=pending&page=1")
    assert page.locator("#queue tr.row").count() == 8
    assert page.dialogs == []


def test_hostile_record_renders_as_text_and_runs_nothing(page, server, tmp_path):
    base, lake, planted, _ = server
    (run, doc), = sql(lake, "SELECT run_id, doc_id FROM quarantine WHERE source_id = 'hostile'")
    page.goto(f"{base}/records/{run}/{doc}")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # give any injected handler (onerror, onload) its chance to fire
    fired = page.evaluate("() => [window.__sieve_pwned_script, window.__sieve_pwned_img, window.__sieve_pwned_link,"
                          " window.__sieve_pwned_break].map(v => v === undefined)")
    assert fired == [True, True, True, True] and page.dialogs == []
    text = page.locator("#text").inner_text()
    assert "<script>window.__sieve_pwned_script = 1; alert('script')</script>" in text
    assert '<a href="javascript:window.__sieve_pwned_link = 1">' in text and "</textarea>" in text
    assert "U+202E" in text  # the bidi override is named, not obeyed
    assert page.evaluate("() => Array.from(document.scripts).map(s => s.getAttribute('src'))") == [
        "/static/review.js"]
    assert page.locator("#text img, #text svg, #text a, #text script, img, svg").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("textarea").count() == 1 and page.locator("#note").input_value() == ""
    page.locator("#text").get_by_text("click here for a discount").click()  # a link that is only text
    assert page.url.startswith(f"{base}/records/") and page.evaluate("() => window.__sieve_pwned_link") is None
    (run, doc), = sql(lake, "SELECT run_id, doc_id FROM quarantine WHERE source_id = 'secret'")
    page.goto(f"{base}/records/{run}/{doc}?status=pending&pos=1")
    assert page.locator("mark.hl").count() == 2 and page.locator("sup.lbl").count() == 2
    _shot(page, "review-record.png", tmp_path)


def test_api_write_needs_a_token_and_release_reaches_clean(browser, server):
    base, lake, planted, log = server
    (run, doc), = sql(lake, "SELECT run_id, doc_id FROM quarantine WHERE source_id = 'secret'")
    context = browser.new_context()
    try:
        api = context.request
        body = {"doc_id": doc, "verdict": "approve", "note": "secret is redacted on release"}
        refused = api.post(f"{base}/api/reviews", data=body)
        assert refused.status == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert sql(lake, "SELECT count(*) FROM reviews WHERE doc_id = ?", [doc])[0][0] == 0
        done = api.post(f"{base}/api/reviews", data=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert done.status == 201 and done.json()["reviewer"] == "alice"
        assert sql(lake, "SELECT reviewer, verdict, note FROM reviews WHERE doc_id = ?", [doc]) == [
            ("alice", "approved", "secret is redacted on release")]
    finally:
        context.close()
    out = cli("release", "--lake", lake, "--dataset", "web", "--json")
    assert out.returncode == 0, out.stderr
    rel = json.loads(out.stdout.splitlines()[-1])["run_id"]
    (text,), = sql(lake, "SELECT text FROM clean WHERE run_id = ? AND doc_id = ?", [rel, doc])
    assert "<SECRET_AWS_ACCESS_KEY>" in text and "<EMAIL_ADDRESS>" in text
    assert sql(lake, "SELECT outcome, released_from FROM documents WHERE run_id = ? AND doc_id = ?", [rel, doc]) == [
        ("clean", run)]
    assert httpx.get(f"{base}/login?token={TOKEN}&next=/", timeout=10).status_code == 200  # a token pasted in a URL
    served = log.read_text()
    assert "GET /login" in served and TOKEN not in served  # requests are logged, the token never is
    assert "GET /login?token=***&next=/" in served
