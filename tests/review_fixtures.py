"""A tiny corpus with planted quarantinable records for the review tests, and the config to run it with.

Import it as ``from tests.review_fixtures import ...`` (a helper module, not a test file). What gets quarantined
and why, with every document stage off except a patterns-only PII stage (cheap: no spaCy) and ``input.max_bytes``
lowered so a long record is ``input.too_long`` (quarantined by the default policy, text kept for review):

* ``BAD_LINES`` lines that are not JSON -> ``input.malformed`` (quarantined, no text, raw bytes kept);
* an empty text -> ``input.empty`` (dropped: never in the queue);
* ``HOSTILE``: long, full of markup meant to run in a reviewer's browser, a bidi override and a tag-character run;
* ``SECRET``: short, holding an AWS access key id (``pii.SECRET_AWS_ACCESS_KEY``, action quarantine) and an e-mail
  address (``pii.EMAIL_ADDRESS``, action redact): the record whose spans are highlighted and redacted on release
  (records with an ``input.*`` reason never reach the detectors, so this one must stay under ``MAX_BYTES``);
* ``PLAIN`` long plain records, one of them twice (the copy is a ``dup.exact`` of it: a duplicate cluster);
* short clean records.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.fixtures import clean_texts

MAX_BYTES = 700
EMAIL = "review.fixture.person@example.org"
AWS_KEY = "AKIA" + "QX7RT2ZB4MNP6WUY"  # shape of an AWS access key id; not a real key
ALICE = "alice-token-7f3c9a1e5b2d4c6f"  # reviewers' tokens of the review tests
BOB = "bob-token-0a9b8c7d6e5f4a3b2c"
BAD_LINES = 2
PLAIN = 6
PAYLOAD_MARKERS = ("__sieve_pwned_script", "__sieve_pwned_img", "__sieve_pwned_link", "__sieve_pwned_break")
HOSTILE_TEXT = (
    "A product review that is really an attack on whoever reads it in a browser. "
    "<script>window.__sieve_pwned_script = 1; alert('script')</script> "
    "<img src=x onerror=\"window.__sieve_pwned_img = 1; alert('img')\"> "
    "<a href=\"javascript:window.__sieve_pwned_link = 1\">click here for a discount</a> "
    "</textarea></pre></div><script>window.__sieve_pwned_break = 1</script><textarea> "
    "\"><svg onload=alert(1)> {{ 7 * 7 }} ${7*7} "
    "Reversed: \u202egnp.exe\u202c and hidden \U000e0068\U000e0069 tags. "
    "Terminal: \x1b[2J\x1b[31mred\x1b[0m. "
)


def _long(text: str, filler: str) -> str:
    out = text
    while len(out.encode()) <= MAX_BYTES:
        out += " " + filler
    return out


def write_review_corpus(folder: Path) -> dict[str, object]:
    """Write ``folder/reviews.jsonl``; return the path and the texts planted in it."""
    folder.mkdir(parents=True, exist_ok=True)
    fill = clean_texts(PLAIN + 8, seed=71, min_chars=300, max_chars=480)
    short = fill[:6]
    plain = [_long(t, fill[6 + i]) for i, t in enumerate(fill[6:6 + PLAIN])]
    hostile = _long(HOSTILE_TEXT, fill[-1])
    secret = (f"Deploy notes: export AWS_ACCESS_KEY_ID={AWS_KEY} before running the nightly job, and write to "
              f"{EMAIL} when it fails.")
    lines = [json.dumps({"id": f"short-{i}", "text": t}) for i, t in enumerate(short)]
    lines += [json.dumps({"id": "hostile", "text": hostile, "note": "<b>meta is hostile too</b>"})]
    lines += [json.dumps({"id": "secret", "text": secret})]
    lines += [json.dumps({"id": f"plain-{i}", "text": t}) for i, t in enumerate(plain)]
    lines += [json.dumps({"id": "plain-copy", "text": plain[0]})]
    lines += ["{not json at all", "<script>alert('raw')</script> {"]
    lines += [json.dumps({"id": "empty", "text": "   "})]
    path = folder / "reviews.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"path": path, "hostile": hostile, "secret": secret, "plain": plain}


def write_review_config(path: Path) -> Path:
    """sieve.yaml: stages off but a patterns-only PII stage and exact dedup; long records are ``input.too_long``."""
    from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES

    stages: dict[str, dict] = {name: {"enabled": False} for name in [*DOCUMENT_STAGES, *CORPUS_STAGES]}
    stages["dedup_exact"] = {"enabled": True}
    stages["pii"] = {"enabled": True, "profile": "patterns",
                     "entities": ["EMAIL_ADDRESS", "SECRET_AWS_ACCESS_KEY"]}
    path.write_text(yaml.safe_dump({"input": {"max_bytes": MAX_BYTES}, "stages": stages}))
    return path


def write_tokens(path: Path, **reviewers: str) -> Path:
    """A tokens file ``name:token`` per reviewer, mode 0600."""
    path.write_text("# reviewers of the test lake\n" + "".join(f"{k}:{v}\n" for k, v in reviewers.items()))
    path.chmod(0o600)
    return path


_TEMPLATE: dict[str, object] = {}


def review_lake(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    """A private copy of a lake made by the real flow from ``write_review_corpus`` (built once per session).

    Each test module gets its own copy (its reviews and releases must not leak into another module's), and the
    copy's catalog is refreshed so its views point at the copy. Needs the session's Prefect harness to be up.
    """
    from flows.runner import run_flow
    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake

    if not _TEMPLATE:
        base = tmp_path_factory.mktemp("review-template")
        planted = write_review_corpus(base / "in")
        config = write_review_config(base / "sieve.yaml")
        result = run_flow(inputs=[str(planted["path"])], lake=str(base / "lake"), dataset="web", config=str(config),
                          kind=None, text_field=None, manifest=None, task_runner="processes", dask_address=None,
                          workers=1, show_progress=False)
        _TEMPLATE.update(lake=base / "lake", planted={**planted, "run_id": result["run_id"],
                                                      "counts": result["counts"]})
    dest = tmp_path_factory.mktemp("review-lake") / "lake"
    shutil.copytree(_TEMPLATE["lake"], dest)
    refresh_catalog(Lake(dest))
    return dest, dict(_TEMPLATE["planted"])


def reviews_of(path: Path, doc_id: str) -> list[tuple]:
    """``(reviewer, verdict, note)`` of every review of ``doc_id`` in the lake at ``path``, oldest first."""
    from tests.conftest import sql

    return sql(path, "SELECT reviewer, verdict, note FROM reviews WHERE doc_id = ? ORDER BY reviewed_at", [doc_id])
