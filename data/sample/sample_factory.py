"""``TextFactory``: English sample documents (reviews, how-tos, news, forum posts, recipes) from the word lists.

Imported (through ``generate.py``, by file path) by ``tests/fixtures.py`` and ``benchmarks/throughput.py`` too;
``TextFactory(seed, safe=True)`` writes text without names of people or places, dates, URLs or long digit runs.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Sequence
from typing import Any

from sample_text import cap_first
from sample_vocab_common import (
    BRANDS,
    COLORS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    SAFE_BRANDS,
    SECTION_BREAKS,
    STREETS,
    SWAP_PATTERNS,
    TOWNS,
    USERNAMES,
    WEEKDAYS,
)
from sample_vocab_forum import (
    FORUM_GREETINGS,
    FORUM_THANKS,
    FORUM_TOPICS,
    QUESTION_EXTRAS,
    REPLY_CLOSERS,
    REPLY_EXTRAS,
    REPLY_OPENERS,
)
from sample_vocab_howto import HOWTO_INTROS, HOWTO_OUTROS, HOWTO_TASKS, STEP_ASIDES
from sample_vocab_news import NEWS_CLOSERS, NEWS_EVENTS, NEWS_FILLERS
from sample_vocab_recipes import FLAVOURS, PROTEINS, RECIPE_INTROS, RECIPE_METHODS, RECIPE_NOTES, STARCHES, VEGETABLES
from sample_vocab_reviews import (
    COMPARISONS,
    FAILURES,
    FEATURE_LINES,
    ISSUE_LINES,
    PRODUCTS,
    REVIEW_EXTRAS,
    REVIEW_HEADLINES,
    REVIEW_OPENERS,
    USE_LINES,
    VERDICTS,
)

MAX_DOC_CHARS = 4000


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    """The slot names of a ``str.format`` template, in order, without repeats."""
    return tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))


class TextFactory:
    """Builds English documents from templates and word lists; the same seed always gives the same documents.

    ``safe=True`` leaves out names of people and places, weekdays and months, URLs and long digit runs, so the text
    gives a PII detector nothing to find (for the clean test fixtures). Topics rotate (least used first) and a
    reword pass (``SWAPS``) varies the wording. Two how-to guides on the same task (or two forum questions on the
    same topic) still share most sentences, so ``repeat_cap`` limits how many documents may use each how-to task
    and each forum question topic: past it, other kinds and forum replies are written instead.
    """

    KINDS = ("review", "howto", "news", "forum", "recipe")
    WEIGHTS = {"review": 28, "howto": 10, "news": 28, "forum": 19, "recipe": 15}

    def __init__(self, seed: int, safe: bool = False, repeat_cap: int | None = None):
        self.rng = random.Random(seed)
        self.safe = safe
        self.repeat_cap = repeat_cap
        self._last_topic = 0
        self._uses: dict[tuple[str, int], int] = {}

    # -- small pickers -------------------------------------------------------------------------------------------
    def pick(self, seq: Sequence[Any]) -> Any:
        """One random element of ``seq``."""
        return seq[self.rng.randrange(len(seq))]

    def pick_topic(self, family: str, count: int) -> int:
        """Index of the least-used topic of ``family`` (ties broken at random)."""
        uses = [self._uses.get((family, i), 0) for i in range(count)]
        low = min(uses)
        index = self.pick([i for i, u in enumerate(uses) if u == low])
        self._uses[(family, index)] = low + 1
        return index

    def fill(self, template: str, **slots: Any) -> str:
        """Fill ``template``: given slots first, then fresh random numbers, towns, days and so on."""
        if "feature" in slots:
            slots["Feature"] = cap_first(slots["feature"])
        values = {name: slots[name] if name in slots else self._slot(name) for name in _fields(template)}
        return template.format(**values)

    def _slot(self, name: str) -> Any:
        """A fresh random value for slot ``name`` of a template."""
        rng = self.rng
        simple: dict[str, tuple[int, int]] = {"n": (2, 9), "n2": (1, 9), "pct": (3, 40), "v1": (5, 7), "v2": (1, 4),
                                              "weeks": (3, 20), "years": (2, 8)}
        if name in simple:
            return rng.randint(*simple[name])
        choices: dict[str, Sequence[Any]] = {
            "mins": [20, 25, 30, 35, 40, 45], "mins2": [3, 4, 5, 6, 8], "temp": [190, 200, 210, 220],
            "color": COLORS, "comparison": COMPARISONS,
            "ago": ["last spring", "a few months ago", "about a year ago", "in the sales", "recently"],
        }
        if name in choices:
            return self.pick(choices[name])
        if name == "money":
            return f"${rng.randint(2, 60)}.{rng.randint(1, 9)} million"
        if self.safe:
            return {"town": "the town", "street": "the high street", "on_day": "this week", "month": "the spring"}[name]
        if name == "on_day":
            return f"on {self.pick(WEEKDAYS)}"
        return self.pick({"town": TOWNS, "street": STREETS, "month": MONTHS}[name])

    def person(self) -> str:
        """A made-up full name."""
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def vary(self, text: str, rate: float = 0.5) -> str:
        """Reword ``text`` with ``SWAPS``: each match is replaced by a random alternative with probability ``rate``."""

        lower = text.lower()
        if len(lower) != len(text):  # offsets would not line up (rare non-ASCII case mappings): leave it
            return text
        hits = sorted(
            (m.start(), m.end(), alts)
            for key, pattern, alts in SWAP_PATTERNS
            if key in lower
            for m in pattern.finditer(lower)
            if m.start() == 0 or not (key[0].isalpha() and lower[m.start() - 1].isalnum())
        )
        out, last = [], 0
        for start, end, alts in hits:  # one pass over the original text: no swap of a swap
            if start < last or self.rng.random() >= rate:
                continue
            alt = self.pick(alts)
            out += [text[last:start], cap_first(alt) if text[start].isupper() else alt]
            last = end
        out.append(text[last:])
        return "".join(out)

    # -- document kinds ------------------------------------------------------------------------------------------
    def review(self, target: int = 900, rating: int | None = None) -> str:
        """A product review of roughly ``target`` characters with a star rating."""
        rng = self.rng
        product, features, uses, issues = PRODUCTS[self.pick_topic("product", len(PRODUCTS))]
        if self.safe:  # invented brand names read as names of people or places to an NER model
            brand, maker = self.pick(SAFE_BRANDS), "this maker"
        else:
            brand = maker = self.pick(BRANDS)
        rating = rating if rating is not None else rng.choice([5, 5, 4, 4, 4, 3, 3, 2, 1])
        slots = {"brand": brand, "maker": maker, "product": product, "failure": self.pick(FAILURES)}
        title = f"{self.pick(REVIEW_HEADLINES[rating])} - {brand} {product}"
        feats = rng.sample(features, len(features))
        use_pool = rng.sample(uses, len(uses))
        issue_pool = rng.sample(issues, len(issues))
        feature_lines = rng.sample(FEATURE_LINES, len(FEATURE_LINES))
        first = [self.fill(self.pick(REVIEW_OPENERS), **slots),
                 self.fill(feature_lines[0], feature=feats[0], use=use_pool[0])]
        parts = [" ".join(first)]
        optional: list[str] = []
        for i, feat in enumerate(feats[1:4], start=1):
            optional.append(self.fill(feature_lines[i], feature=feat, use=self.pick(use_pool)))
        optional.append(self.fill(self.pick(USE_LINES), use=use_pool[0], use2=use_pool[1 % len(use_pool)]))
        n_issues = 1 if rating >= 4 else 2 if rating == 3 else 3
        for issue in issue_pool[:n_issues]:
            optional.append(self.fill(self.pick(ISSUE_LINES), issue=issue))
        optional.extend(self.fill(x) for x in rng.sample(REVIEW_EXTRAS, rng.randint(2, 5)))
        verdict = self.fill(self.pick(VERDICTS[rating]), **slots) + f" Rating: {rating} out of 5."
        paragraph: list[str] = []
        for sentence in optional:
            if len(title) + sum(map(len, parts)) + sum(map(len, paragraph)) + len(verdict) > target:
                break
            paragraph.append(sentence)
            if len(paragraph) >= rng.randint(2, 4):
                parts.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            parts.append(" ".join(paragraph))
        parts.append(verdict)
        return self.vary(title + "\n\n" + "\n\n".join(parts))

    def howto_steps(self, index: int | None = None) -> tuple[str, list[str], list[str], list[str]]:
        """(task, tools, filled steps, filled tips) of one how-to topic (the least used when ``index`` is None)."""
        if index is None:
            index = self.pick_topic("howto", len(HOWTO_TASKS))
        task, tools, steps, tips = HOWTO_TASKS[index]
        filled = []
        for step in steps:
            step = self.vary(self.fill(step))
            if self.rng.random() < 0.3:
                step += " " + self.pick(STEP_ASIDES)
            filled.append(step)
        return task, tools, filled, [self.vary(self.fill(t)) for t in tips]

    def howto(self, target: int = 1500) -> str:
        """A step-by-step guide of roughly ``target`` characters."""
        rng = self.rng
        task, tools, steps, tips = self.howto_steps()
        title = self.pick(["How to {t}", "A beginner's guide: how to {t}", "How I {t} (step by step)",
                           "The easy way to {t}"]).format(t=task)
        parts = [self.fill(self.pick(HOWTO_INTROS), task=task)]
        if target > 700:
            parts.append("You will need: " + ", ".join(rng.sample(tools, len(tools))) + ".")
        numbered = rng.random() < 0.6
        lines = [f"{i}. {s}" if numbered else s for i, s in enumerate(steps, start=1)]
        if target < 700:
            lines = lines[: max(2, target // 150)]
        parts.append("\n".join(lines) if numbered else " ".join(lines))
        extra = rng.sample(tips, len(tips))
        for tip in extra:
            if sum(map(len, parts)) > target - 150:
                break
            parts.append(self.pick(["Tip: ", "A note from experience: ", "", "Worth knowing: "]) + tip)
        if sum(map(len, parts)) < target:
            parts.append(self.pick(HOWTO_OUTROS))
        return self.vary(title + "\n\n" + "\n\n".join(parts), rate=0.3)

    def news(self, target: int = 1200, with_facts: bool = False) -> str | tuple[str, str]:
        """A local news story of roughly ``target`` characters (``with_facts``: also return its headline)."""
        rng = self.rng
        event = NEWS_EVENTS[self.pick_topic("news", len(NEWS_EVENTS))]
        town = "the town" if self.safe else self.pick(TOWNS)
        headline = self.fill(self.pick(event["head"]), town=town)
        headline = cap_first(headline)
        body = [self.fill(s, town=town) for s in event["body"]]
        quotes = rng.sample(event["quote"], rng.randint(1, 2))
        roles = rng.sample(event["role"], 2)
        quote_lines = []
        for quote, role in zip(quotes, roles, strict=False):
            speaker = role if self.safe else f"{self.person()}, {role},"
            quote_lines.append(f"\u201c{quote},\u201d said {speaker}".rstrip(",") + ".")
        dateline = "" if self.safe else f"{town.upper()} \u2014 "
        paragraphs = [dateline + body[0]]
        rest = rng.sample(body[1:], rng.randint(2, len(body) - 1))
        rest += [self.fill(x) for x in rng.sample(NEWS_FILLERS, rng.randint(1, 3))]
        rng.shuffle(rest)
        for quote_line in quote_lines:
            rest.insert(rng.randint(0, len(rest)), quote_line)
        for sentence in rest:
            if sum(map(len, paragraphs)) + len(headline) > target:
                break
            if rng.random() < 0.5 and len(paragraphs[-1]) < 300:
                paragraphs[-1] += " " + sentence
            else:
                paragraphs.append(sentence)
        if sum(map(len, paragraphs)) < target:
            paragraphs.append(self.pick(NEWS_CLOSERS))
        text = self.vary(headline + "\n\n" + "\n\n".join(paragraphs))
        return (text, headline) if with_facts else text

    def forum(self, target: int = 700, reply: bool | None = None, topic: int | None = None) -> str:
        """A forum question or reply of roughly ``target`` characters (``topic``: an index of ``FORUM_TOPICS``)."""
        rng = self.rng
        if topic is None:
            topic = self.pick_topic("forum", len(FORUM_TOPICS))
        self._last_topic = topic
        title, symptoms, tried, questions, replies = FORUM_TOPICS[topic]
        asked = self._uses.get(("forum_q", topic), 0)
        if reply is None:
            reply = rng.random() < 0.45 or (self.repeat_cap is not None and asked >= self.repeat_cap)
        if not reply:
            self._uses[("forum_q", topic)] = asked + 1
        user = "" if self.safe else self.pick(USERNAMES)
        if reply:
            lines = [f"Re: {title}", self.pick(REPLY_OPENERS)]
            body = rng.sample(replies, rng.randint(2, 3))
            body += [self.fill(x) for x in rng.sample(REPLY_EXTRAS, rng.randint(1, 3))]
            rng.shuffle(body)
            for n, sentence in enumerate(body):
                if n >= 3 and sum(map(len, lines)) > target - 100:
                    break
                lines.append(sentence)
            lines.append(self.pick(REPLY_CLOSERS))
        else:
            head = self.pick(["{t}", "{t}?", "Help: {l}", "{t} - any ideas?", "Question: {l}", "{t} (advice please)"])
            lines = [head.format(t=title, l=title[:1].lower() + title[1:]), self.pick(FORUM_GREETINGS)]
            lines += [self.fill(s) for s in rng.sample(symptoms, rng.randint(1, len(symptoms)))]
            for extra in rng.sample(QUESTION_EXTRAS, rng.randint(1, 2)):
                lines.insert(rng.randint(2, len(lines)), self.fill(extra))
            if target > 400:
                lines.append("So far: " + " ".join(rng.sample(tried, rng.randint(1, len(tried)))))
            lines.append(self.pick(questions))
            lines.append(self.pick(FORUM_THANKS))
        if user:
            lines.append(f"- {user}")
        head, body = lines[0], [x for x in lines[1:] if x]
        return self.vary(head + "\n\n" + "\n\n".join(body))

    def recipe_parts(self) -> dict[str, Any]:
        """A recipe as data: title, ingredients (with quantities), method steps and servings."""
        rng = self.rng
        protein = PROTEINS[self.pick_topic("protein", len(PROTEINS))]
        veg = self.pick(VEGETABLES)
        starch = self.pick(STARCHES)
        flavour, flavour_items = self.pick(FLAVOURS)
        legume = protein in ("chickpeas", "red lentils", "white beans")
        method = self.pick(["stew", "soup", "bake"] if legume else list(RECIPE_METHODS))
        serves = rng.choice([2, 3, 4, 6])
        qty = {2: "300 g", 3: "450 g", 4: "600 g", 6: "900 g"}[serves]
        ingredients = [f"{qty} {protein}", f"{rng.choice([300, 400, 500])} g {veg}", f"{serves * 75} g {starch}",
                       *flavour_items, "olive oil", "salt and black pepper"]
        slots = {"protein": protein, "veg": veg, "starch": starch, "flavour": flavour}
        steps = [self.fill(s, **slots) for s in RECIPE_METHODS[method]]
        title = self.pick(["{F} {p} with {v}", "One-pan {f} {p}", "{F} {p} and {v} with {s}",
                           "Easy {f} {p}"]).format(F=cap_first(flavour), f=flavour, p=protein, v=veg, s=starch)
        return {"title": title, "ingredients": ingredients, "steps": steps, "serves": serves, "slots": slots}

    def recipe(self, target: int = 1300) -> str:
        """A recipe of roughly ``target`` characters (intro, ingredients, method, notes)."""
        rng = self.rng
        r = self.recipe_parts()
        ready = rng.choice([25, 35, 45, 60])
        parts = [self.pick(RECIPE_INTROS), f"Serves {r['serves']}. Ready in about {ready} minutes."]
        short = target <= 500
        if not short or rng.random() < 0.5:
            parts.append("Ingredients:\n" + "\n".join(f"- {i}" for i in r["ingredients"]))
        if not short or len(parts) == 2:
            steps = r["steps"] if not short else rng.sample(r["steps"], 3)
            parts.append("Method:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1)))
        for note in rng.sample(RECIPE_NOTES, len(RECIPE_NOTES)):
            if sum(map(len, parts)) > target - 80:
                break
            parts.append(self.fill(note, **r["slots"]))
        return self.vary(r["title"] + "\n\n" + "\n\n".join(parts))

    def document(self, target: int | None = None, kind: str | None = None) -> str:
        """One document of ``kind`` (random when None) near ``target`` characters.

        A long target makes a page of several sections: a forum thread (a question and its replies), a page of
        reviews, a news round-up, a recipe collection, or a guide followed by related articles.
        """
        rng = self.rng
        if target is None:
            target = self.doc_length()
        kinds = self._kinds()
        kind = kind or rng.choices(kinds, weights=[self.WEIGHTS[k] for k in kinds])[0]
        text = self._one(kind, min(target, 2200))
        topic = self._last_topic
        while len(text) < target - 400:
            room = min(target - len(text), 2200)
            if kind == "forum":
                text += "\n\n" + self.forum(room, reply=True, topic=topic).split("\n\n", 1)[1]
            elif kind == "howto":
                text += "\n\nRelated reading\n\n" + self._one(self.pick(["review", "recipe", "news"]), room)
            else:
                text += "\n\n" + self.pick(SECTION_BREAKS[kind]) + "\n\n" + self._one(kind, room)
        return trim(text, max(target + 300, 200))

    def _kinds(self) -> list[str]:
        if self.repeat_cap is None:
            return list(self.KINDS)
        used = min(self._uses.get(("howto", i), 0) for i in range(len(HOWTO_TASKS)))
        return [k for k in self.KINDS if k != "howto" or used < self.repeat_cap]

    def _one(self, kind: str, target: int) -> str:
        if kind == "howto" and "howto" not in self._kinds():
            kind = self.pick([k for k in self.KINDS if k != "howto"])
        make = {"review": self.review, "howto": self.howto, "news": self.news, "forum": self.forum,
                "recipe": self.recipe}[kind]
        return make(target)  # type: ignore[operator]

    def doc_length(self) -> int:
        """A document length in characters: mostly 500-1500, some short (200+) and some long (up to ~4 KB)."""
        rng = self.rng
        band = rng.random()
        if band < 0.15:
            return rng.randint(200, 500)
        if band < 0.65:
            return rng.randint(500, 1500)
        if band < 0.9:
            return rng.randint(1500, 3000)
        return rng.randint(3000, 3700)


def trim(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` (and ``MAX_DOC_CHARS``) characters at a sentence or line end."""
    limit = min(limit, MAX_DOC_CHARS)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("\n"))
    return cut[: end + 1].rstrip() if end > limit // 2 else cut.rstrip()
