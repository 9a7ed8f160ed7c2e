"""A pool of clean conversational English from text already on this machine, for the toxicity classifier.

Every generator added to the training data so far raised recall and made the model flag more clean conversational
text (held-out clean comment-thread rows 2.8% -> 10.5%). This pool is clean text written by people in a loose,
talk-like register that no evaluation set contains, to measure that (held-out part) and to train against it
(training part, whole or mined):

* Debian ``fortunes`` (quotations, jokes, dialogues), the non-offensive files only: the offensive ones live in
  ``off/`` or carry a ``-o`` suffix and are never read; ``ethnic`` and ``men-women`` are left out too, since jokes
  about a group labelled clean would teach the model that stereotypes are clean;
* WordNet's quoted example sentences (``wordnet-base``), skipping every synset whose gloss marks a word as
  offensive, obscene, vulgar, a slur, disparaging or derogatory;
* Debian changelog entries (``/usr/share/doc/*/changelog.Debian.gz``): maintainers' short notes about edits and
  fixes, close to talk-page comments about edits ("Revert the last upload", "Fix stupid typo", "kill the daemon");
* paragraphs of the installed Python packages' READMEs.

A text holding strong profanity or a slur is dropped whatever its source (``PROFANE``): Davidson labels such text
offensive, and clean rows must not say otherwise. The split is by SOURCE FILE (a fortune file, a WordNet data file,
a Debian package, a Python package): ``holdout`` of each kind's sources are held out whole, so the dev part is text
from files the model never saw. Everything is sorted and seeded, so the files are the same bytes on every run on
the same machine (the packages installed decide the changelogs and READMEs; the card records the sha256s).

    python -m tasks.toxicity_clean_pool --out build/toxicity-clean [--mine-with MODEL --mine-threshold 0.3]
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
from collections.abc import Iterable
from pathlib import Path

from tasks.machine_text import FORTUNES, QUOTED, WORDNET, flat, fortune_files, package_descriptions, wordnet_glosses

DEBIAN_DOC = Path("/usr/share/doc")
#: Fortune files left out although Debian files them as non-offensive (see the module docstring).
FORTUNE_SKIP = {"art", "ascii-art", "ethnic", "men-women"}
#: Glosses marking a synset's words as abusive; their usage examples are not clean text.
OFFENSIVE_GLOSS = re.compile(r"offensive|obscen|vulgar|slur|disparag|derogat|abusive|insult|contempt|taboo",
                             re.IGNORECASE)
#: Strong profanity and slurs (word starts): a text holding one is not used as a clean row.
PROFANE = re.compile(r"\b(fuck|shit|cunt|nigg|fag|bitch|whore|slut|retard|dick\b|cock\b|pussy|bastard|asshole|"
                     r"arse\b|twat|wank|dyke|kike|spic\b|chink|tranny|gook|coon\b|piss|bollock|tits?\b|porn|rape)",
                     re.IGNORECASE)
KINDS = ("fortune", "wordnet", "changelog", "readme")
#: Rows at most per source file, so a few large files (a long changelog, a big README) do not make up the pool.
PER_SOURCE = {"fortune": 400, "wordnet": 3000, "changelog": 40, "readme": 30}


def _keep(text: str, min_words: int = 3, max_chars: int = 400) -> bool:
    return len(text.split()) >= min_words and len(text) <= max_chars and not PROFANE.search(text)


def fortune_texts() -> dict[str, list[str]]:
    """Fortunes by file name (non-offensive files only; a fortune is one text)."""
    # off/ (a folder, never read) and *-o hold the offensive fortunes
    return fortune_files(skip=lambda path: path.name.endswith("-o") or path.name in FORTUNE_SKIP, root=FORTUNES)


def wordnet_texts() -> dict[str, list[str]]:
    """WordNet's quoted usage examples by data file, without those of synsets glossed as offensive."""
    return {name: [q.strip() for gloss in glosses if not OFFENSIVE_GLOSS.search(gloss) for q in QUOTED.findall(gloss)]
            for name, glosses in wordnet_glosses(root=WORDNET).items()}


def changelog_texts() -> dict[str, list[str]]:
    """Entries of each package's Debian changelog (a ``*`` item with its continuation lines), by package."""
    out: dict[str, list[str]] = {}
    for path in sorted(DEBIAN_DOC.glob("*/changelog.Debian.gz")):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except (OSError, EOFError):
            continue
        items: list[str] = []
        for line in lines:
            item = re.match(r"^\s{2,4}[*+-]\s+(.*)$", line)
            if item:
                items.append(item.group(1))
            elif items and line.startswith("      ") and line.strip():
                items[-1] += " " + line.strip()
            elif not line.strip() or line.startswith((" --", " [")):
                continue
        out[path.parent.name] = [flat(i) for i in items]
    return out


def readme_texts() -> dict[str, list[str]]:
    """Prose paragraphs of the installed Python packages' READMEs (no code, tables, lists or headings), by package."""
    out: dict[str, list[str]] = {}
    for name, body in package_descriptions():
        paras = []
        for para in re.split(r"\n\s*\n", body):
            one = flat(para)
            if one and not para.lstrip().startswith(("*", "-", "#", "|", ">>>", "..", "```", "=", "+", ":", "$")) \
                    and not para.startswith(("    ", "\t")) and "http" not in one:
                paras.append(one)
        if name and paras:
            out[name] = out.get(name, []) + paras
    return dict(sorted(out.items()))


def collect() -> dict[str, dict[str, list[str]]]:
    """Every kind's texts by source file, filtered (length, profanity), deduplicated, capped per source."""
    raw = {"fortune": fortune_texts(), "wordnet": wordnet_texts(), "changelog": changelog_texts(),
           "readme": readme_texts()}
    seen: set[str] = set()
    out: dict[str, dict[str, list[str]]] = {}
    for kind in KINDS:
        for source, texts in sorted(raw[kind].items()):
            rows = []
            for t in texts:
                if _keep(t) and t.lower() not in seen:
                    seen.add(t.lower())
                    rows.append(t)
            # a fixed sample, not the first rows: a changelog's first entries are all from its newest release
            rows = random.Random(f"{kind}:{source}").sample(rows, min(len(rows), PER_SOURCE[kind]))
            if rows:
                out.setdefault(kind, {})[source] = rows
    return out


def split_by_source(pool: dict[str, dict[str, list[str]]], holdout: float = 0.3,
                    seed: int = 7) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, dev) as (``kind:source``, text) rows, with ``holdout`` of each kind's sources held out whole."""
    train: list[tuple[str, str]] = []
    dev: list[tuple[str, str]] = []
    for kind in KINDS:
        sources = sorted(pool.get(kind, {}))
        random.Random(f"{seed}:{kind}").shuffle(sources)
        held = set(sources[:max(1, round(len(sources) * holdout))]) if sources else set()
        for source in sorted(pool.get(kind, {})):
            rows = [(f"{kind}:{source}", t) for t in pool[kind][source]]
            (dev if source in held else train).extend(rows)
    return train, dev


def balanced_sample(rows: list[tuple[str, str]], per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    """At most ``per_kind`` rows of each kind (a fixed random sample), in a fixed order."""
    out = []
    for kind in KINDS:
        of_kind = [r for r in rows if r[0].startswith(kind + ":")]
        out += random.Random(f"{seed}:{kind}:sample").sample(of_kind, min(per_kind, len(of_kind)))
    return out


def mine(rows: list[tuple[str, str]], model_path: Path, threshold: float) -> list[tuple[str, str]]:
    """The rows ``model_path`` scores ``toxic`` at ``threshold`` or more, whole text or a 150-char window (hard
    negatives: clean text the model gets wrong or nearly wrong)."""
    from tasks.detectors.toxicity import ToxicityConfig, ToxicityStage
    from tasks.stage import DocBatch

    stage = ToxicityStage(ToxicityConfig(model=str(model_path), labels={"__label__toxic": "toxic"},
                                         thresholds={"toxic": threshold}, window_threshold=max(threshold, 0.98)))
    res = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(rows))], texts=[t for _, t in rows]))
    hit = {f.row for f in res.findings}
    return [r for i, r in enumerate(rows) if i in hit]


def write_rows(rows: Iterable[tuple[str, str]], path: Path, label: str = "clean") -> int:
    """Write rows as fastText lines (``__label__<label> text``) and their sources next to them (``.src``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(rows)
    with open(path, "w", encoding="utf-8") as fh, open(path.with_suffix(".src"), "w", encoding="utf-8") as src:
        for source, text in rows:
            fh.write(f"__label__{label} {text}\n")
            src.write(f"{source}\n")
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    """Write pool_train.txt (balanced sample of the training part), pool_dev.txt (held-out sources) and, with
    ``--mine-with``, pool_mined_<threshold>.txt (the training part's rows that model flags)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--holdout", type=float, default=0.3, help="share of each kind's source files held out whole")
    ap.add_argument("--per-kind", type=int, default=2000, help="training rows per kind in pool_train.txt")
    ap.add_argument("--dev-per-kind", type=int, default=1000, help="held-out rows per kind in pool_dev.txt")
    ap.add_argument("--mine-with", type=Path,
                    help="model whose flags on the training part make pool_mined_<threshold>.txt")
    ap.add_argument("--mine-threshold", type=float, default=0.3,
                    help="score from which --mine-with's flags count (default 0.3: pool_mined_0.3.txt)")
    args = ap.parse_args(argv)
    train, dev = split_by_source(collect(), args.holdout, args.seed)
    counts = {"train_all": len(train), "dev_all": len(dev),
              "pool_train": write_rows(balanced_sample(train, args.per_kind, args.seed), args.out / "pool_train.txt"),
              "pool_dev": write_rows(balanced_sample(dev, args.dev_per_kind, args.seed), args.out / "pool_dev.txt")}
    if args.mine_with:
        name = f"pool_mined_{args.mine_threshold:g}.txt"  # the trainer splits by file name: one name per setting
        counts[name] = write_rows(mine(train, args.mine_with, args.mine_threshold), args.out / name)
    print(", ".join(f"{k} {v} rows" for k, v in counts.items()) + f" -> {args.out}")


if __name__ == "__main__":
    main()
