"""Name dev set: person names of every Faker locale, romanised, in the ways chat, mail and posts write them.

``pii_dev.py`` puts names of 40 locales in forms and letters; this set draws from every Faker locale with person
names (Latin-script ones as written and folded to ASCII, Cyrillic and Greek ones transliterated, Chinese and
Japanese ones by Faker's own romanised lists) and writes them: full, given name alone, lower case, upper case,
with a title, possessive, in lists, as the subject of a verb of saying, after a greeting, in a self-introduction,
in short posts. Sentences with capitalised words that are no person (places, firms, products, titles of works,
days) count false positives. Each gold span is the name as written (a title and a possessive ``'s`` left out);
places and firms are gold spans of unscored types, so predictions on them are left out, as in ``pii.py``.

    .venv/bin/python benchmarks/pii_dev_names.py [--seed 1] [--n 1500] [--misses 40] [--kind post]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# (kind, template): {n} a full name, {g} a given name, {l} a surname, {n2} {n3} other full names, {o} a firm, {c}
# a city; a lower-case or upper-case form of the same fields is {nl}, {gl}, {nu}.
TEMPLATES = [
    ("intro", "My name is {n} and I live in {c}."), ("intro", "Hi, I'm {n}."), ("intro", "this is {g} from {o}"),
    ("intro", "I am {n}, the new intern."), ("intro", "{n} here - got your message."),
    ("intro", "name's {g}, nice to meet you"),
    ("speech", "{n} said the plan was dead."), ("speech", "\"We will win,\" said {n}."),
    ("speech", "{n} told reporters on Friday that talks had failed."), ("speech", "According to {n}, it works."),
    ("speech", "{l} said he would appeal."), ("speech", "{n} tweeted about it last night"),
    ("speech", "{g} says hi!"), ("speech", "{n} confirmed the news."),
    ("greeting", "Hi {g}, any news?"), ("greeting", "hey {gl} how r u"), ("greeting", "Thanks {g}!"),
    ("greeting", "Dear {n},"), ("greeting", "Good morning {g} :)"), ("greeting", "happy birthday {gl}!!"),
    ("greeting", "Congrats {g} {l}!"), ("greeting", "love you {gl}"), ("greeting", "Miss you {g}"),
    ("list", "{n}, {n2} and {n3} joined the board."), ("list", "with {n} & {n2}"),
    ("list", "Speakers: {n}; {n2}; {n3}"), ("list", "{g}, {g2} and I went to {c}."),
    ("list", "cast: {n}, {n2}, {n3}"), ("list", "{nl} and {n2l} are in town"),
    ("post", "just saw {n} at the airport omg"), ("post", "omg {nl} is so funny"),
    ("post", "can't believe {n} won"), ("post", "{n} is the best"), ("post", "RT @news: {n} arrested in {c}"),
    ("post", "watching {n} on tv"), ("post", "me and {g} at the beach"), ("post", "go {g}!!! #final"),
    ("post", "{nl} dropped a new song"), ("post", "who is {n}?"), ("post", "{g} and {g2} are dating?!"),
    ("post", "so proud of {g} today"), ("post", "{nu} FOR PRESIDENT"), ("post", "listening to {n} again"),
    ("prose", "{n} was born in {c} in 1970."), ("prose", "The book by {n} came out in May."),
    ("prose", "Mr. {l} teaches maths."), ("prose", "{n}'s house was sold."), ("prose", "I met {g} yesterday."),
    ("prose", "She married {n} in 2001."), ("prose", "Dr {l} will call you back."),
    ("prose", "The award went to {n} of {o}."), ("prose", "{n}, 42, of {c}, was charged."),
    ("prose", "A letter from {n} arrived."), ("prose", "We thank {n} for her help."),
    ("form", "Name: {n}"), ("form", "Contact person: {n}, {o}"), ("form", "Signed, {n}"),
    ("form", "Regards,\n{n}"), ("form", "Patient: {l}, {g}"), ("form", "Sent by {n} on 3 May"),
]
NEGATIVES = [
    "We flew from Buenos Aires to Lisbon on Monday.", "Deutsche Bank and Credit Suisse merged desks.",
    "The Lord of the Rings is on TV tonight.", "New iPhone Pro Max review", "Happy Valentine's Day!",
    "Game of Thrones season finale", "Grand Theft Auto V sold out.", "Microsoft Teams is down again",
    "Black Friday deals at Best Buy", "Real Madrid beat Manchester United 3-1.", "Mount Everest Base Camp",
    "Visit Costa Rica and Puerto Rico", "The Rolling Stones played Hyde Park.", "Toyota Land Cruiser for sale",
    "Stranger Things is back on Netflix", "Christmas Eve at Times Square", "Red Bull Racing wins again",
    "Saturday Night Live", "Coca Cola Zero Sugar", "Amazon Prime Video", "Google Maps says 20 minutes",
    "The Hague and Rotterdam", "Harvard Business School", "Star Wars The Last Jedi",
    "Happy New Year from Sydney", "Thanks Giving dinner", "Merry Christmas everyone", "Good Morning America",
    "Call of Duty Black Ops", "Golden State Warriors", "Pink Floyd The Wall", "New Balance running shoes",
    "Lake Como in Italy", "Rio de Janeiro carnival", "Dolce Gabbana", "Louis Vuitton bag", "Santa Claus is coming",
]
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                     "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g".split(),
                     strict=True))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
                  "a v g d e z i th i k l m n x o p r s s t y f ch ps o a e i i o y o i y i y".split(), strict=True))


def _translit(word: str) -> str:
    out = []
    for ch in word:
        low = ch.lower()
        rep = _CYRILLIC.get(low, _GREEK.get(low, ch))
        rep = "" if rep == "-" else rep
        out.append(rep.capitalize() if ch != low and rep else rep)
    return "".join(out)


def _ascii(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _latin(word: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in word)


def name_source(seed: int):
    """Locale -> a function returning (given, surname) romanised, for every Faker locale with person names."""
    from faker import Faker
    from faker.config import AVAILABLE_LOCALES

    sources = {}
    for loc in AVAILABLE_LOCALES:
        try:
            fake = Faker(loc)
            fake.seed_instance(seed)
            g, s = fake.first_name(), fake.last_name()
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if _latin(g + s):
            sources[loc] = lambda f=fake: (f.first_name(), f.last_name())
        elif hasattr(fake, "first_romanized_name") and hasattr(fake, "last_romanized_name"):
            sources[loc] = lambda f=fake: (f.first_romanized_name(), f.last_romanized_name())
        elif _latin(_translit(g + s)) and _translit(g):
            sources[loc] = lambda f=fake: (_translit(f.first_name()), _translit(f.last_name()))
    return sources


def dev_set(seed: int, n: int) -> tuple[list[tuple[str, list[tuple[int, int, str]]]], list[dict]]:
    """``n`` name sentences over every locale and template, then the negatives; (data, meta per text)."""
    from faker import Faker

    rng = random.Random(seed)
    sources = name_source(seed)
    en = Faker("en_US")
    en.seed_instance(seed)
    data, meta = [], []
    for _ in range(n):
        loc = rng.choice(sorted(sources))
        kind, template = rng.choice(TEMPLATES)
        fold = rng.random() < 0.3  # informal text drops diacritics

        def person(loc=loc, fold=fold):
            g, s = (w.strip() for w in sources[loc]())
            return (_ascii(g), _ascii(s)) if fold else (g, s)
        (g, s), (g2, s2), (g3, s3) = person(), person(), person()
        values = {"n": f"{g} {s}", "g": g, "l": s, "n2": f"{g2} {s2}", "n3": f"{g3} {s3}", "g2": g2,
                  "nl": f"{g} {s}".lower(), "gl": g.lower(), "nu": f"{g} {s}".upper(), "n2l": f"{g2} {s2}".lower()}
        text, spans, pos = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[pos:m.start()]
            field = m.group(1)
            value = en.city() if field == "c" else en.company() if field == "o" else values[field]
            # places and firms are gold spans of unscored types: a prediction on them is left out, as in pii.py
            label = {"c": "_CITY", "o": "_ORG"}.get(field, "PERSON")
            spans.append((len(text), len(text) + len(value), label))
            text += value
            pos = m.end()
        text += template[pos:]
        if "{l}, {g}" in template or "{g} {l}" in template:  # "Patient: Roe, Ann" is one name
            spans = [(spans[0][0], spans[1][1], "PERSON")]
        data.append((text, spans))
        meta.append({"locale": loc, "kind": kind, "template": template, "fold": fold})
    data += [(t, []) for t in NEGATIVES]
    meta += [{"locale": "-", "kind": "negative", "template": t, "fold": False} for t in NEGATIVES]
    return data, meta


def main() -> None:
    """Print PERSON precision/recall overall, by template kind and by field form; misses on request."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--misses", type=int, default=0)
    ap.add_argument("--kind", help="only misses of this template kind")
    args = ap.parse_args()
    from pii import _build, score

    run = _build("sieve-ner")
    data, meta = dev_set(args.seed, args.n)
    preds = run([t for t, _ in data])
    c = score(data, preds, 0.5)["PERSON"]
    print(f"name dev seed {args.seed}: {len(data)} texts, {len(sources_of(meta))} locales; PERSON annotated "
          f"{c['annotated']} P {(c['predicted'] - c['fp']) / max(c['predicted'], 1):.3f} "
          f"R {c['tp'] / c['annotated']:.3f} FP {c['fp']}")
    by: dict[str, Counter] = defaultdict(Counter)
    misses, fps = [], []
    for (text, gold), pred, m in zip(data, preds, meta, strict=True):
        counts = score([(text, gold)], [pred], 0.5)["PERSON"]
        for key in (f"kind {m['kind']}", f"template {m['template'][:38]!r}"):
            by[key] += Counter(annotated=counts["annotated"], tp=counts["tp"], fp=counts["fp"],
                               predicted=counts["predicted"])
        got = [text[s:e] for s, e, t in pred if t == "PERSON"]
        if counts["tp"] < counts["annotated"] and (args.kind is None or m["kind"] == args.kind):
            misses.append((m["locale"], text, got))
        if counts["fp"]:
            fps.append((m["kind"], text, got))
    for key in sorted(by):
        b = by[key]
        r = f"{b['tp'] / b['annotated']:.3f}" if b["annotated"] else "  -  "
        print(f"  {key:52s} gold {b['annotated']:4d} R {r} FP {b['fp']}")
    if args.misses:
        for row in fps[:args.misses]:
            print("FP", row)
        for row in misses[:args.misses]:
            print("MISS", row)


def sources_of(meta: list[dict]) -> set[str]:
    """The locales drawn in a dev set."""
    return {m["locale"] for m in meta if m["locale"] != "-"}


if __name__ == "__main__":
    main()
