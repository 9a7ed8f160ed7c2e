"""Text keys and similarity of the sample corpus (normalised key, word shingles, Jaccard, the distinctness check)
and URL slugs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalize_key(text: str) -> str:
    """NFKC, casefold, collapse whitespace: the same rule as ``tasks.normalize.normalize_key`` (exact dedup)."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def shingles(text: str, n: int = 5) -> set[str]:
    """Word ``n``-grams of the normalised text, used to check near-duplicates and accidental similarity."""
    words = _WORD.findall(normalize_key(text))
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets."""
    return len(a & b) / len(a | b) if a or b else 1.0


def check_distinct(texts: Sequence[str], limit: float = 0.5) -> float:
    """Assert no two ``texts`` are exact (normalised) duplicates or similar above ``limit``; return the max."""
    keys = [normalize_key(t) for t in texts]
    dups = [t for t, k in zip(texts, keys, strict=True) if keys.count(k) > 1]
    assert not dups, "unintended exact duplicate:\n" + "\n---\n".join(dups[:2])
    sets = [shingles(t) for t in texts]
    worst, pair = 0.0, (0, 0)
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            small, large = sorted((len(sets[i]), len(sets[j])))
            if small / large <= worst:  # Jaccard is at most small/large
                continue
            sim = jaccard(sets[i], sets[j])
            if sim > worst:
                worst, pair = sim, (i, j)
    assert worst < limit, f"unintended near-duplicate (Jaccard {worst:.2f}):\n{texts[pair[0]]}\n---\n{texts[pair[1]]}"
    return worst


def slugify(title: str) -> str:
    """Lower-case, hyphenated URL slug of a title."""
    return "-".join(_WORD.findall(title.lower()))[:60].strip("-") or "page"


def cap_first(text: str) -> str:
    """``text`` with its first character upper-cased (the rest unchanged, unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]


def tag_facts(facts: dict[str, Any], prefix: str, items: Sequence[dict[str, Any]]) -> None:
    """Record ``<prefix>_counts`` per tag and the ids of the pii, injection and foreign items (with their language)."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item["tag"]] = counts.get(item["tag"], 0) + 1
    facts[f"{prefix}_counts"] = counts
    facts[f"{prefix}_pii_ids"] = [i["id"] for i in items if i["tag"] == "pii"]
    facts[f"{prefix}_injection_ids"] = [i["id"] for i in items if i["tag"] == "injection"]
    facts[f"{prefix}_foreign_ids"] = {i["id"]: i["lang"] for i in items if i["tag"] == "foreign"}
