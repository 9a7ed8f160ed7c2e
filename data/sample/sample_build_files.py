"""The records of ``web.jsonl``, ``forum.jsonl.gz`` and ``articles.parquet``, with their planted facts."""

from __future__ import annotations

import json
import random
from typing import Any

from sample_factory import TextFactory
from sample_planted import (
    HIDDEN_TAG_MESSAGE,
    INJECTIONS,
    VARIANTS,
    near_duplicate,
    pii_documents,
    tag_encode,
    variant,
)
from sample_text import check_distinct, jaccard, normalize_key, shingles, slugify, tag_facts
from sample_vocab_common import SITES, USERNAMES
from sample_vocab_foreign import foreign_doc

# The corpus seed (``generate.py``'s default); the oversized record is written from it whatever ``--seed`` says.
SEED = 20261127
OVERSIZED_BYTES = 1_200_000


def site_url(rng: random.Random, title: str, section: str) -> str:
    """A plausible URL on a reserved ``example`` domain."""
    return f"https://{rng.choice(SITES)}.example.com/{section}/{slugify(title)}-{rng.randint(100, 9999)}"


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def build_web(
    factory: TextFactory, rng: random.Random, facts: dict[str, Any]
) -> tuple[list[bytes], list[tuple[str, str]]]:
    """The lines of ``web.jsonl`` (bytes, newline excluded) and (id, text) of its clean documents; fills ``facts``."""
    # 1. unique documents: (text, lang, tags)
    unique: list[dict[str, Any]] = []
    for _ in range(193):
        unique.append({"text": factory.document(), "lang": "en", "tag": "clean"})
    for lang, groups in (("fr", [(0, 1), (2, 3)]), ("de", [(0, 1), (2,)]), ("es", [(0, 1), (2, 3)])):
        for g in groups:
            unique.append({"text": foreign_doc(lang, g), "lang": lang, "tag": "foreign"})
    pii_entities: dict[str, int] = {}
    for text, entities in pii_documents(factory, rng):
        unique.append({"text": text, "lang": "en", "tag": "pii", "entities": entities})
        for k, v in entities.items():
            pii_entities[k] = pii_entities.get(k, 0) + v
    for inj in INJECTIONS[:2]:
        base = factory.document(rng.randint(600, 1400), kind=rng.choice(["forum", "review"]))
        paras = base.split("\n\n")
        at = rng.randint(1, len(paras))
        unique.append({"text": "\n\n".join([*paras[:at], inj, *paras[at:]]), "lang": "en", "tag": "injection"})
    base = factory.review(1000, rating=5)
    cut = base.index(". ") + 1
    unique.append({"text": base[:cut] + tag_encode(HIDDEN_TAG_MESSAGE) + base[cut:], "lang": "en",
                   "tag": "unicode_tags"})
    facts["max_jaccard_unique_web"] = round(check_distinct([u["text"] for u in unique]), 3)
    rng.shuffle(unique)

    # 2. duplicates of clean English documents, each placed after its source
    clean_idx = [i for i, u in enumerate(unique) if u["tag"] == "clean"]
    long_idx = sorted(clean_idx, key=lambda i: -len(unique[i]["text"]))[:30]
    near_src = rng.sample(long_idx, 8)
    dup_src = rng.sample([i for i in clean_idx if i not in near_src], 25)
    entries: list[dict[str, Any]] = [dict(u, src=None) for u in unique]
    originals = list(entries)
    extra: list[dict[str, Any]] = []
    near_sims = []
    for k, i in enumerate(dup_src):
        text = unique[i]["text"] if k < 15 else variant(unique[i]["text"], VARIANTS[k - 15])
        assert normalize_key(text) == normalize_key(unique[i]["text"]) and (k < 15 or text != unique[i]["text"])
        extra.append({"text": text, "lang": "en", "tag": "dup_exact" if k < 15 else "dup_variant",
                      "src": originals[i]})
    for i in near_src:
        text = near_duplicate(unique[i]["text"], rng)
        assert normalize_key(text) != normalize_key(unique[i]["text"])
        near_sims.append(jaccard(shingles(text), shingles(unique[i]["text"])))
        extra.append({"text": text, "lang": "en", "tag": "dup_near", "src": originals[i]})
    for e in extra:  # each copy goes somewhere after its source
        entries.insert(rng.randint(_index(entries, e["src"]) + 1, len(entries)), e)
    facts["near_dup_jaccard"] = [round(min(near_sims), 3), round(max(near_sims), 3)]

    # 3. malformed and edge-case lines at random positions
    bad_kinds = ["json_truncated", "json_single_quotes", "json_trailing_comma", "utf8", "no_text", "numeric_text",
                 "empty_text", "whitespace_text", "oversized"]
    for kind in bad_kinds:
        entries.insert(rng.randint(1, len(entries)), {"tag": kind})

    # 4. serialise with ids by position
    lines: list[bytes] = []
    for n, e in enumerate(entries, start=1):
        e["id"] = f"web-{n:04d}"
    counts: dict[str, int] = {}
    dup_pairs: dict[str, list[str]] = {"dup_exact": [], "dup_variant": [], "dup_near": []}
    for e in entries:
        tag = e["tag"]
        counts[tag] = counts.get(tag, 0) + 1
        rid = e["id"]
        if "text" in e:
            title = _first_line(e["text"])
            url = site_url(rng, title, "post")
            if e.get("src") is not None:
                url = url.replace(".example.com/", f".mirror{rng.randint(1, 9)}.example.net/")
                dup_pairs[tag].append(f"{rid}={e['src']['id']}")
            rec = {"id": rid, "text": e["text"], "url": url, "lang_hint": e["lang"]}
            lines.append(json.dumps(rec, ensure_ascii=False).encode())
            continue
        url = f"https://{rng.choice(SITES)}.example.com/post/{rid}"
        if tag == "json_truncated":
            lines.append(f'{{"id": "{rid}", "text": "The lid of the kettle snapped off on the second day and'.encode())
        elif tag == "json_single_quotes":
            lines.append(f"{{'id': '{rid}', 'text': 'Single quotes are not valid JSON.', 'url': '{url}'}}".encode())
        elif tag == "json_trailing_comma":
            lines.append(f'{{"id": "{rid}", "text": "A trailing comma breaks strict parsers.", "url": "{url}",}}'
                         .encode())
        elif tag == "utf8":
            lines.append(f'{{"id": "{rid}", "text": "Caf'.encode() + b"\xe9 cr\xe8me, copied from an old Latin-1 "
                         b"page \xff\xfe and pasted as is.\", \"url\": \"" + url.encode() + b'", "lang_hint": "en"}')
        elif tag == "no_text":
            lines.append(json.dumps({"id": rid, "title": "Page with no body", "url": url, "lang_hint": "en"}).encode())
        elif tag == "numeric_text":
            lines.append(json.dumps({"id": rid, "text": 404, "url": url, "lang_hint": "en"}).encode())
        elif tag == "empty_text":
            lines.append(json.dumps({"id": rid, "text": "", "url": url, "lang_hint": "en"}).encode())
        elif tag == "whitespace_text":
            lines.append(json.dumps({"id": rid, "text": "   \n\t  \n ", "url": url, "lang_hint": "en"}).encode())
        elif tag == "oversized":
            lines.append(json.dumps({"id": rid, "text": oversized_text(), "url": url, "lang_hint": "en"}).encode())
        facts.setdefault("web_bad_ids", {})[tag] = rid
    facts["web_counts"] = counts
    facts["web_dup_pairs"] = dup_pairs
    facts["web_pii_ids"] = [e["id"] for e in entries if e["tag"] == "pii"]
    facts["web_pii_entities"] = pii_entities
    facts["web_foreign_ids"] = {e["id"]: e["lang"] for e in entries if e["tag"] == "foreign"}
    facts["web_injection_ids"] = [e["id"] for e in entries if e["tag"] == "injection"]
    facts["web_unicode_tag_ids"] = [e["id"] for e in entries if e["tag"] == "unicode_tags"]
    facts["_unique_texts"] = [u["text"] for u in unique]
    return lines, [(e["id"], e["text"]) for e in entries if e["tag"] == "clean"]


def _index(items: list[Any], obj: Any) -> int:
    """Position of ``obj`` itself (identity, not equality) in ``items``."""
    return next(n for n, x in enumerate(items) if x is obj)


def oversized_text() -> str:
    """About 1.2 MB of text (a crawler caught in a pagination loop): over the default 1,000,000-byte limit."""
    factory = TextFactory(SEED + 99)
    pages = [factory.document(1500) for _ in range(40)]
    out, size, n = [], 0, 0
    while size < OVERSIZED_BYTES:
        page = f"Page {n + 1}\n\n" + pages[n % len(pages)]
        out.append(page)
        size += len(page.encode()) + 2
        n += 1
    return "\n\n".join(out)


def build_forum(
    factory: TextFactory, rng: random.Random, web_clean: list[tuple[str, str]], facts: dict[str, Any]
) -> list[dict]:
    """Records of ``forum.jsonl.gz``: 80 posts with planted PII, injection, foreign posts and reposts."""
    posts: list[dict[str, Any]] = []
    for _ in range(70):
        posts.append({"text": factory.forum(rng.choice([250, 400, 600, 900, 1300, 1800])), "tag": "clean"})
    sig = factory.forum(500, reply=True)
    posts.append({"text": sig + "\n\nSam Rivera | sam.rivera@example.net | 555-013-4478", "tag": "pii",
                  "entities": {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1, "PERSON": 1}})
    addr = factory.forum(500, reply=True)
    posts.append({"text": addr + "\n\nIf you are local I can lend you my tools: call me on (555) 013-7730, I am at "
                  "42 Elm Street most evenings.", "tag": "pii",
                  "entities": {"PHONE_NUMBER": 1, "ADDRESS": 1}})
    base = factory.forum(700, reply=True).split("\n\n")
    posts.append({"text": "\n\n".join([*base[:2], INJECTIONS[2], *base[2:]]), "tag": "injection"})
    posts.append({"text": foreign_doc("fr", [4]), "tag": "foreign", "lang": "fr"})
    posts.append({"text": foreign_doc("es", [4]), "tag": "foreign", "lang": "es"})
    facts["_unique_texts"] += [p["text"] for p in posts]
    facts["max_jaccard_unique_forum"] = round(check_distinct(facts["_unique_texts"]), 3)
    rng.shuffle(posts)
    for i in rng.sample(range(len(posts)), 3):  # double posts: exact reposts later in the file
        if posts[i]["tag"] != "clean":
            continue
        posts.insert(rng.randint(i + 1, len(posts)), {"text": posts[i]["text"], "tag": "repost", "of": posts[i]})
    for web_id, text in rng.sample(web_clean, 2):  # cross-posted from the web file
        posts.insert(rng.randint(0, len(posts)), {"text": text, "tag": "cross_dup", "web_id": web_id})
    while len(posts) < 80:  # a repost source was not clean: top up with reposts of clean posts
        i = rng.choice([k for k, p in enumerate(posts) if p["tag"] == "clean"])
        posts.insert(rng.randint(i + 1, len(posts)), {"text": posts[i]["text"], "tag": "repost", "of": posts[i]})
    records = []
    for n, p in enumerate(posts, start=1):
        p["id"] = f"forum-{n:04d}"
        thread = slugify(_first_line(p["text"]).removeprefix("Re: "))
        records.append({"id": p["id"], "text": p["text"], "url": f"https://fixitforum.example.com/t/{thread}/{n}",
                        "author": rng.choice(USERNAMES), "posted_at": f"2025-{rng.randint(1, 12):02d}-"
                        f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"})
    tag_facts(facts, "forum", posts)
    facts["forum_repost_pairs"] = [f"{p['id']}={p['of']['id']}" for p in posts if p["tag"] == "repost"]
    facts["forum_cross_dup_pairs"] = [f"{p['id']}={p['web_id']}" for p in posts if p["tag"] == "cross_dup"]
    return records


def build_articles(factory: TextFactory, rng: random.Random, facts: dict[str, Any]) -> list[dict]:
    """Rows of ``articles.parquet``: 120 longer articles with PII, foreign and syndicated near-duplicates."""
    rows: list[dict[str, Any]] = []
    for _ in range(114):
        kind = rng.choices(["news", "howto", "recipe", "review"], weights=[50, 20, 15, 15])[0]
        rows.append({"text": factory.document(rng.randint(800, 3700), kind=kind), "tag": "clean"})
    press = str(factory.news(1200))
    rows.append({"text": press + "\n\nPress contact: Nora Keane, press.office@example.org, (555) 013-6620.",
                 "tag": "pii", "entities": {"PERSON": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}})
    letter = str(factory.news(1000))
    rows.append({"text": letter + "\n\nLetters to the editor can be sent to letters@valleycourier.example.com or "
                 "by phone on 555-013-3390.", "tag": "pii",
                 "entities": {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}})
    rows.append({"text": foreign_doc("fr", [5]), "tag": "foreign", "lang": "fr"})
    rows.append({"text": foreign_doc("de", [4]), "tag": "foreign", "lang": "de"})
    facts["_unique_texts"] += [r["text"] for r in rows]
    facts["max_jaccard_unique_articles"] = round(check_distinct(facts["_unique_texts"]), 3)
    rng.shuffle(rows)
    sims = []
    long_clean = sorted((r for r in rows if r["tag"] == "clean"), key=lambda r: -len(r["text"]))[:10]
    for src in rng.sample(long_clean, 2):  # syndicated copies with a few words changed
        text = near_duplicate(src["text"], rng, changes=2)
        sims.append(jaccard(shingles(text), shingles(src["text"])))
        rows.insert(rows.index(src) + rng.randint(1, 20), {"text": text, "tag": "dup_near", "of": src})
    out = []
    for n, r in enumerate(rows, start=1):
        r["id"] = f"art-{n:04d}"
        out.append({"id": r["id"], "text": r["text"], "url": site_url(rng, _first_line(r["text"]), "news")})
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["tag"]] = counts.get(r["tag"], 0) + 1
    facts["articles_counts"] = counts
    facts["articles_pii_ids"] = [r["id"] for r in rows if r["tag"] == "pii"]
    facts["articles_foreign_ids"] = {r["id"]: r["lang"] for r in rows if r["tag"] == "foreign"}
    facts["articles_near_pairs"] = [f"{r['id']}={r['of']['id']}" for r in rows if r["tag"] == "dup_near"]
    facts["articles_near_jaccard"] = [round(min(sims), 3), round(max(sims), 3)]
    return out
