"""The README of ``data/sample``, written from the facts of a generation (so its counts always match the files)."""

from __future__ import annotations

from typing import Any


def readme(f: dict[str, Any]) -> str:
    """The README of ``data/sample``, with every count taken from the facts of this generation."""
    wc, fc, ac, ic = f["web_counts"], f["forum_counts"], f["articles_counts"], f["instruct_counts"]
    bad = f["web_bad_ids"]
    pii = ", ".join(f"{k} {v}" for k, v in sorted(f["web_pii_entities"].items()))
    r = f["records"]
    return f"""# Sample corpus

Synthetic data for `make run`, demos and manual checks, written by `generate.py` (seed {f['seed']}): every
sentence comes from that script's templates and word lists. The PII in it is fake (`example` domains, `555-01xx`
phone numbers, the public test card `4111 1111 1111 1111`, a random `AKIA` key). Regenerate with

    .venv/bin/python data/sample/generate.py

which rewrites the files and this README (so the counts below always match) and prints the planted facts as JSON,
including the id of every planted record. Same seed, same bytes (on the same pyarrow version).

| file | records | what |
|---|---|---|
| `web.jsonl` | {r['web.jsonl']} lines | web pages: `id`, `text`, `url`, `lang_hint` |
| `forum.jsonl.gz` | {r['forum.jsonl.gz']} | forum posts: `id`, `text`, `url`, `author`, `posted_at` |
| `articles.parquet` | {r['articles.parquet']} rows ({f['articles_row_groups']} row groups) | `id`, `text`, `url` |
| `instruct.jsonl` | {r['instruct.jsonl']} | Alpaca `instruction`/`input`/`output` (+ `id`), for `--kind instruct` |
| `notes/` | {r['notes']} files | one plain-text document per `.txt` file |

English documents are product reviews, how-to guides, local news, forum posts and recipes, from ~200 characters
to ~4 KB (long ones are pages of several sections: forum threads, review pages, news round-ups, recipe
collections). Ids are `web-NNNN`, `forum-NNNN`, `art-NNNN`, `inst-NNNN` by position. "Clean" below means nothing
was planted: news stories still quote made-up people in made-up towns, and forum posts end with a user name.
Duplicate pairs are written `copy=source`; the source always comes first in file order.

## web.jsonl ({r['web.jsonl']} lines)
- {wc['clean']} clean English documents.
- {wc['foreign']} in other languages: {', '.join(f'{k} ({v})' for k, v in f['web_foreign_ids'].items())}.
- {wc['pii']} with planted PII: {', '.join(f['web_pii_ids'])}. One is a dense contact list (5 names, emails and
  phones); one holds a fake AWS access key id and secret. Planted entities in total: {pii}.
- {wc['injection']} with a prompt-injection sentence ("Ignore all previous instructions and ..."):
  {', '.join(f['web_injection_ids'])}.
- {wc['unicode_tags']} with a hidden message in Unicode tag characters (U+E0001..U+E007F):
  {', '.join(f['web_unicode_tag_ids'])}.
- {wc['dup_exact'] + wc['dup_variant']} exact duplicates (with their own id and a mirror URL):
  - {wc['dup_exact']} byte-identical: {', '.join(f['web_dup_pairs']['dup_exact'])}.
  - {wc['dup_variant']} differing only in case, whitespace or full-width letters (equal after NFKC, casefold and
    whitespace collapse): {', '.join(f['web_dup_pairs']['dup_variant'])}.
- {wc['dup_near']} near-duplicates, 3 words changed in a long document (word 5-gram Jaccard
  {f['near_dup_jaccard'][0]} to {f['near_dup_jaccard'][1]}): {', '.join(f['web_dup_pairs']['dup_near'])}.
- 9 bad input lines:
  - invalid JSON x3: {bad['json_truncated']} (truncated), {bad['json_single_quotes']} (single quotes),
    {bad['json_trailing_comma']} (trailing comma);
  - invalid UTF-8 bytes: {bad['utf8']};
  - no `text` field: {bad['no_text']}; numeric `text`: {bad['numeric_text']};
  - empty `text`: {bad['empty_text']}; whitespace-only `text`: {bad['whitespace_text']};
  - oversized, ~1.2 MB of text (over the default `input.max_bytes` of 1,000,000): {bad['oversized']}.
- Nothing else is similar by accident: the largest word 5-gram Jaccard between two unique documents of the whole
  sample is {f['max_jaccard_unique_all']}.

## forum.jsonl.gz ({r['forum.jsonl.gz']} records, gzip)
- {fc['clean']} clean English posts (questions and replies), {fc['pii']} with PII ({', '.join(f['forum_pii_ids'])}:
  a signature with name, email and phone; a phone number and street address), {fc['injection']} with a prompt
  injection ({', '.join(f['forum_injection_ids'])}), {fc['foreign']} foreign
  ({', '.join(f'{k} ({v})' for k, v in f['forum_foreign_ids'].items())}).
- {fc['repost']} exact reposts within the file: {', '.join(f['forum_repost_pairs'])}.
- {fc['cross_dup']} exact copies of `web.jsonl` documents (cross-file duplicates):
  {', '.join(f['forum_cross_dup_pairs'])}.

## articles.parquet ({r['articles.parquet']} rows)
- {ac['clean']} clean English articles (800-4000 characters), {ac['pii']} with PII
  ({', '.join(f['articles_pii_ids'])}: press and letters contacts, email + phone), {ac['foreign']} foreign
  ({', '.join(f'{k} ({v})' for k, v in f['articles_foreign_ids'].items())}).
- {ac['dup_near']} syndicated near-duplicates, 2 words changed (Jaccard {f['articles_near_jaccard'][0]} to
  {f['articles_near_jaccard'][1]}): {', '.join(f['articles_near_pairs'])}.

## instruct.jsonl ({r['instruct.jsonl']} records)
- {ic['clean']} clean tasks (sentiment, unit conversion, summaries, steps, sorting, arithmetic, ingredients,
  product descriptions, formal rewrites) whose answers are computed by the generator.
- {ic['pii']} with emails to extract ({', '.join(f['instruct_pii_ids'])}), {ic['injection']} with a prompt injection in
  `input` ({', '.join(f['instruct_injection_ids'])}), {ic['foreign']} in Spanish
  ({', '.join(f['instruct_foreign_ids'])}).
- {ic['dup_exact']} exact duplicate records: {', '.join(f['instruct_dup_pairs'])}.

## notes/ ({r['notes']} files)
`committee-meeting.txt`, `garden-journal.txt`, `recipe-card.txt` (clean English), `trip-plan.txt` (PII: a phone
number and an email), `urlaub-notizen.txt` (German).
"""
