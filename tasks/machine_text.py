"""Readers of English text already on this machine, for training negatives: Debian's ``fortunes`` and
``wordnet-base`` packages and the installed Python packages' long descriptions.

Each reader returns the text by source file (or package) so a caller can filter, split or cap per source; a
missing package gives nothing. The injection trainer and the toxicity clean pool read the same files through
these, each with its own filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

FORTUNES = Path("/usr/share/games/fortunes")
WORDNET = Path("/usr/share/wordnet")
#: A quoted usage example inside a WordNet gloss (at least 12 characters).
QUOTED = re.compile(r'"([^"]{12,})"')


def flat(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space."""
    return " ".join(text.split())


def fortune_files(skip: Callable[[Path], bool], root: Path | None = None) -> dict[str, list[str]]:
    """Fortunes (one line each) by file name, sorted, of the fortune files ``skip`` does not reject.

    Index files (``*.dat``, ``*.u8``) and folders (``off/``, the offensive ones) are never read.
    """
    out: dict[str, list[str]] = {}
    for path in sorted((root or FORTUNES).glob("*")):
        if not path.is_file() or path.suffix or skip(path):
            continue
        out[path.name] = [flat(f) for f in path.read_text(encoding="utf-8", errors="replace").split("\n%\n")]
    return out


def wordnet_glosses(root: Path | None = None) -> dict[str, list[str]]:
    """The gloss (definition and quoted examples) of every synset, by WordNet data file, sorted."""
    out: dict[str, list[str]] = {}
    for path in sorted((root or WORDNET).glob("data.*")):
        out[path.name] = [line.split("|", 1)[1] for line in path.read_text(encoding="utf-8", errors="replace")
                          .splitlines() if "|" in line and not line.startswith(" ")]
    return out


def package_descriptions() -> list[tuple[str, str]]:
    """``(lower-cased name, long description)`` of every installed Python distribution, sorted by name and version."""
    import importlib.metadata as md

    out = []
    for dist in sorted(md.distributions(), key=lambda d: ((d.metadata["Name"] or "").lower(), d.version or "")):
        body = dist.metadata.get_payload() if hasattr(dist.metadata, "get_payload") else ""
        out.append(((dist.metadata["Name"] or "").lower(), body or dist.metadata.get("Description") or ""))
    return out
