"""The records of ``instruct.jsonl`` (Alpaca tasks with computed answers) and the ``notes/*.txt`` files."""

from __future__ import annotations

import random
import re
from typing import Any

from sample_factory import TextFactory
from sample_planted import INJECTIONS
from sample_text import cap_first, normalize_key, tag_facts
from sample_vocab_common import BRANDS, FIRST_NAMES
from sample_vocab_foreign import FOREIGN
from sample_vocab_reviews import PRODUCTS

FORMAL_PAIRS = [
    ("hey, can't make it tomorrow, something came up. let's do next week?",
     "Unfortunately I am unable to attend tomorrow because something has come up. Could we meet next week "
     "instead?"),
    ("thx for the report, looks good, just fix the typos on page 3",
     "Thank you for the report. It looks good; please correct the typing errors on page 3."),
    ("the printer's broken again, can someone sort it out",
     "The printer is out of order again. Could someone please arrange for it to be repaired?"),
    ("running late, start without me", "I am running late, so please begin the meeting without me."),
    ("got your invoice, will pay it friday-ish",
     "I have received your invoice and will pay it by the end of the week."),
    ("can u send me the slides from today", "Could you please send me the slides from today's presentation?"),
    ("no worries about the delay, these things happen",
     "Please do not worry about the delay; I understand that these things happen."),
    ("the new schedule is a mess, who made it",
     "The new schedule seems confusing. Could you tell me who prepared it?"),
]
CONVERSIONS = [
    ("miles", "kilometres", lambda x: x * 1.609344), ("kilograms", "pounds", lambda x: x * 2.20462),
    ("degrees Fahrenheit", "degrees Celsius", lambda x: (x - 32) * 5 / 9), ("cups",
     "millilitres", lambda x: x * 236.6),
    ("inches", "centimetres", lambda x: x * 2.54), ("litres", "US gallons", lambda x: x * 0.264172),
]
SORT_WORDS = [
    "lantern", "meadow", "copper", "thistle", "harbour", "pebble", "orchard", "velvet", "saddle",
    "juniper", "quarry",
    "biscuit", "falcon", "ember", "nutmeg", "willow", "granite", "mosaic", "parsnip", "kettle", "cobalt",
    "violet",
]


def build_instruct(factory: TextFactory, rng: random.Random, facts: dict[str, Any]) -> list[dict]:
    """Records of ``instruct.jsonl`` (Alpaca: instruction, input, output, plus an id)."""
    recs: list[dict[str, Any]] = []
    formal = rng.sample(FORMAL_PAIRS, len(FORMAL_PAIRS))
    kinds = ["sentiment", "convert", "summary", "steps", "sort", "math", "ingredients", "describe", "formal"]
    for k in range(54):
        kind = kinds[k % len(kinds)]
        if kind == "sentiment":
            rating = rng.choice([1, 2, 3, 4, 5])
            review = factory.review(rng.randint(300, 600), rating=rating)
            review = re.sub(r" Rating: \d out of 5\.", "", review)
            label = "Positive" if rating >= 4 else "Negative" if rating <= 2 else "Mixed"
            recs.append({"instruction": "Classify the sentiment of this product review as Positive, Negative or "
                         "Mixed.", "input": review, "output": label})
        elif kind == "convert":
            unit, unit2, fn = CONVERSIONS[(k // len(kinds)) % len(CONVERSIONS)]
            x = rng.randint(3, 120)
            recs.append({"instruction": f"Convert {x} {unit} to {unit2}.", "input": "",
                         "output": f"{x} {unit} is about {fn(x):.1f} {unit2}."})
        elif kind == "summary":
            text, headline = factory.news(rng.randint(500, 900), with_facts=True)  # type: ignore[misc]
            body = text.split("\n\n", 1)[1]
            recs.append({"instruction": "Summarise the following news story in one sentence.", "input": body,
                         "output": headline.rstrip(".") + "."})
        elif kind == "steps":
            task, _, steps, _ = factory.howto_steps()
            recs.append({"instruction": f"List the steps to {task}.", "input": "",
                         "output": "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1))})
        elif kind == "sort":
            words = rng.sample(SORT_WORDS, rng.randint(5, 8))
            recs.append({"instruction": "Sort these words alphabetically.", "input": ", ".join(words),
                         "output": ", ".join(sorted(words))})
        elif kind == "math":
            a, b, price = rng.randint(20, 90), rng.randint(10, 60), rng.choice([2.5, 3, 3.5, 4, 4.25])
            recs.append({"instruction": "Solve the word problem and show your working.",
                         "input": f"A bakery sells {a} loaves in the morning and {b} in the afternoon. Each loaf "
                         f"costs ${price:.2f}. How much money does the bakery take from bread that day?",
                         "output": f"It sells {a} + {b} = {a + b} loaves. {a + b} x ${price:.2f} = "
                         f"${(a + b) * price:.2f}. The bakery takes ${(a + b) * price:.2f}."})
        elif kind == "ingredients":
            r = factory.recipe_parts()
            recs.append({"instruction": f"What ingredients do I need for {r['title'].lower()}?",
                         "input": f"It should serve {r['serves']}.",
                         "output": "You will need:\n" + "\n".join(f"- {i}" for i in r["ingredients"])})
        elif kind == "describe":
            product, features, uses, _ = PRODUCTS[factory.pick_topic("product", len(PRODUCTS))]
            brand, feats = rng.choice(BRANDS), rng.sample(features, 3)
            recs.append({"instruction": "Write a short product description from these notes.",
                         "input": f"Brand: {brand}. Product: {product}. Features: {'; '.join(feats)}.",
                         "output": f"The {brand} {product} combines {feats[0]} with {feats[1]}, and it also has "
                         f"{feats[2]}. It is ideal for {rng.choice(uses)}."})
        else:
            casual, formal_text = formal[(k // len(kinds)) % len(formal)]
            recs.append({"instruction": "Rewrite this message in a more formal tone.", "input": casual,
                         "output": formal_text})
        recs[-1]["tag"] = "clean"
    recs.append({"instruction": "Extract every email address from the text.",
                 "input": "Thanks for organising the quiz night! Send the photos to ollie.brennan@example.com and "
                 "copy in the venue at bookings@harborhall.example.org.",
                 "output": "ollie.brennan@example.com\nbookings@harborhall.example.org", "tag": "pii",
                 "entities": {"EMAIL_ADDRESS": 4}})
    review = factory.review(500, rating=3)
    recs.append({"instruction": "Summarise this customer review in two sentences.",
                 "input": review + " " + INJECTIONS[3],
                 "output": "The reviewer found the product adequate but had several complaints. They would not pay "
                 "full price for it.", "tag": "injection"})
    recs.append({"instruction": "Resume el siguiente texto en una frase.", "input": FOREIGN["es"][5],
                 "output": "Una semana tranquila en un pueblo de la costa, con paseos por la playa, buena comida y "
                 "compras en el mercado.", "tag": "foreign", "lang": "es"})
    keys = [normalize_key(r["instruction"] + "\n" + r["input"] + "\n" + r["output"]) for r in recs]
    assert len(set(keys)) == len(keys)
    rng.shuffle(recs)
    for i in rng.sample([k for k, r in enumerate(recs) if r["tag"] == "clean"], 3):
        recs.insert(rng.randint(i + 1, len(recs)), dict(recs[i], tag="dup_exact", of=recs[i]))
    for n, r in enumerate(recs, start=1):
        r["id"] = f"inst-{n:04d}"
    tag_facts(facts, "instruct", recs)
    facts["instruct_dup_pairs"] = [f"{r['id']}={r['of']['id']}" for r in recs if r["tag"] == "dup_exact"]
    return [{"id": r["id"], "instruction": r["instruction"], "input": r["input"], "output": r["output"]}
            for r in recs]


def build_notes(factory: TextFactory, rng: random.Random, facts: dict[str, Any]) -> dict[str, str]:
    """The ``notes/*.txt`` files: file name -> text (one document per file)."""
    people = rng.sample(FIRST_NAMES, 5)
    items = rng.sample(["the autumn newsletter", "booking the hall for the fair", "the new volunteer rota",
                        "repairs to the community minibus", "the website refresh",
                        "the spring plant sale"], 3)
    meeting = [f"Committee meeting notes\n\nPresent: {', '.join(people)}.",
               f"1. {cap_first(items[0])}: {people[0]} will circulate a draft by the end of the month. Everyone "
               "agreed to keep it to four pages and to include the treasurer's summary.",
               f"2. {cap_first(items[1])}: two quotes received. {people[1]} to check which one includes insurance "
               "before we decide.",
               f"3. {cap_first(items[2])}: still short of helpers for weekday mornings. {people[2]} suggested asking "
               "the parents' group.",
               f"Actions: {people[0]} (draft), {people[1]} (quotes), {people[3]} (book room for next meeting).",
               "Next meeting in four weeks, same time."]
    garden = ["Garden journal\n\nEarly in the season. Sowed two rows of carrots and one of beetroot along the "
              "south fence. Soil still cold, so I covered them with fleece.",
              "Ten days later: first carrot seedlings up, beetroot patchy. Resowed the gaps. Slugs have "
              "found the "
              "lettuces; set beer traps and moved the pots onto the gravel.",
              "Mid season: courgettes flowering at last. Picked the first handful of peas and ate most of "
              "them "
              "on the way back to the house. Need to tie in the runner beans before the wind gets them.",
              "Note for next year: the raised bed by the shed gets far less sun than I thought. Try salad "
              "leaves "
              "there instead of tomatoes."]
    recipe = factory.recipe(900)
    trip = ["Trip plan: walking weekend\n\nTrain leaves at 8:12, arrive around eleven. Walk from the station to the "
            "youth hostel along the canal path, about fourteen kilometres.",
            "Saturday: ridge walk, lunch at the pub by the reservoir, back before dark.",
            "Sunday: short loop through the woods, then the 15:40 train home.",
            "Hostel booking reference in my email. If plans change, call the hostel on (555) 013-8841 or "
            "email "
            "the warden at warden.hollins@example.net.",
            "Packing: waterproofs, spare socks, map, head torch, lunch for day one."]
    notes = {"committee-meeting.txt": "\n\n".join(meeting), "garden-journal.txt": "\n\n".join(garden),
             "recipe-card.txt": recipe, "trip-plan.txt": "\n\n".join(trip),
             "urlaub-notizen.txt": "Notizen zum Urlaub\n\n" + FOREIGN["de"][5] + "\n\n" + FOREIGN["de"][3]}
    facts["notes"] = {"pii": ["trip-plan.txt"], "foreign": {"urlaub-notizen.txt": "de"}, "files": sorted(notes)}
    return notes
