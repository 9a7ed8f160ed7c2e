"""PII dev set: PHONE_NUMBER and PERSON precision/recall on generated sentences, and findings on real web text.

The sentences are Sieve's own templates (forms, e-mail signatures, chat, "Name: X", "Smith, John", initials,
names after prepositions, international phone formats with and without a phone word, extensions...) filled with
values from Faker in many locales (the ``train`` extra: ``pip install -e '.[train]'``), seeded, so a run is
repeatable: ``--seed 1`` is the development split, ``--seed 2`` a held-out check of the same generator. Near-miss
sentences with no PII (ids, versions, prices, dates, capitalised places and products) count false positives.
Nothing here is the eval data: rules are designed on this, and ``benchmarks/pii.py`` measures them on eval.

``--web N`` also runs the stage on N ~2 KB slices of ../shared/data/corpora (web text) and prints how many
PHONE_NUMBER and PERSON spans it finds there; ``--dump FILE`` writes those spans (for reading them, never for
committing: it is third-party text).

    .venv/bin/python benchmarks/pii_dev.py [--seed 1] [--n 400] [--profile ner] [--misses] [--web 530]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PHONE_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pt_BR", "en_IN", "en_AU", "pl_PL",
                 "sv_SE", "ja_JP", "ru_RU", "tr_TR", "en_CA", "he_IL", "ko_KR", "da_DK", "cs_CZ", "hu_HU", "fi_FI",
                 "no_NO", "pt_PT", "es_MX", "zh_CN", "el_GR", "ro_RO", "id_ID", "vi_VN", "uk_UA", "en_NZ", "de_AT",
                 "de_CH", "fr_CH", "nl_BE", "th_TH")
NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pt_BR", "en_IN", "pl_PL", "sv_SE",
                "tr_TR", "da_DK", "cs_CZ", "fi_FI", "no_NO", "pt_PT", "es_MX", "ro_RO", "id_ID", "en_IE", "de_AT",
                "hu_HU", "vi_VN", "en_PH", "sk_SK", "hr_HR", "sl_SI", "lv_LV", "lt_LT", "et_EE", "ka_GE", "hy_AM",
                "az_AZ", "fa_IR", "ar_AA", "ne_NP", "tw_GH", "yo_NG", "zu_ZA")
# {p}: a phone number; {n}: a person's name; {c}: a city; {o}: a company; {e}: an e-mail (the last three unscored).
PHONE_WITH_WORD = [
    "Call me at {p} after six.", "Tel: {p}", "Phone: {p}\nFax: {p2}", "You can reach the office on {p}.",
    "Mobile {p} (evenings only)", "Please ring {p} to book a table.", "Questions? Phone us on {p}.",
    "tel. {p} / e-mail {e}", "Contact: {n}, {p}", "My cell is {p}, text me when you land.",
    "For emergencies dial {p}.", "Hotline: {p} (Mon-Fri 9-17)", "WhatsApp: {p}", "Telefon: {p}", "Tél. : {p}",
    "Teléfono {p}", "Telephone number: {p}", "call {p} or email {e}", "phone no. {p}",
    "His number is {p} if you need him.", "Reach {n} directly at {p}.", "Helpline {p} is free from landlines.",
]
PHONE_WITHOUT_WORD = [
    "{n}\n{o}\n{p}\n{e}", "{n} | {o} | {p}", "{o}, {c}. {p}.", "Reservations {p} or online.",
    "Front desk: {p}", "{p} (office), {p2} (home)", "Booking line {p}", "{c} branch - {p}",
    "Ask for {n} on {p} about the flat.", "Text {p} for the code.", "Office hours 9-5, {p}.",
    "{n}: {p}", "T {p}\nE {e}", "M: {p}", "Bookings: {p} / {e}", "Leave a message on {p} and we will get back.",
    "Enquiries {p}", "{o} customer service {p}, open daily.", "Get in touch: {p}",
    "The clinic in {c} is on {p}.", "Order by {p} before noon.", "{n} ({p})",
    # running text, lists and extensions, as people write them in mails and forums
    "I tried {p} twice but nobody picked up.", "{p} - ask for {g}", "numbers: {p}, {p2}",
    "{o}\n{c}\n{p}", "pls call back on {p} asap", "{n} ({o}) {p} / {p2}", "{px}", "Reception {px}",
    "{g}'s number is {p}", "We dialled {p} and got voicemail.",
]
PERSON = [
    "Name: {n}", "Patient name: {n}\nDOB: 03/04/1971", "I met {n} at the conference in {c}.",
    "Thanks {g}, see you tomorrow!", "Dear {n},\nplease find the report attached.", "Best regards,\n{n}\n{o}",
    "{n} wrote:\n> are we still on for friday?", "hi {gl}, can you send me the file?", "lol {gl} said the same",
    "The contract was signed by {n} on behalf of {o}.", "{l}, {g}", "Applicant: {l}, {g}", "{i}. {l} ({o})",
    "Meeting with {n} and {n2} at 3pm.", "We spoke to {n} yesterday.", "Cheers, {g}",
    "{n} is the new head of sales at {o}.", "According to {n}, the shipment left {c} on Monday.",
    "Emergency contact: {n} (sister)", "From: {n} <{e}>", "Photo by {n}", "Author: {n}",
    "Regards {g} {l}", "ask {gl} {ll} about it", "Prof. {l} will give the keynote.",
    "{n}, {o}, {c}", "Interview with {n}", "Good morning {g}!", "Signed: {n}", "Ms {l} called about the invoice.",
    "Both {n} and {n2} declined to comment.", "Please forward this to {n}.", "Assigned to: {n}",
    "Guest list: {n}; {n2}", "{n} has been with {o} since 2015.", "Mit freundlichen Grüßen\n{n}",
    # titles, initials, possessives, sentence starts, lists, lower case and capitals, as in mail and chat
    "Dr. {n} will see you at ten.", "Mr. {l} and Mrs. {l2} arrived late.", "{n}'s car was parked outside.",
    "{n} said the meeting was moved.", "Attendees: {n}, {n2}, {n3}", "{g} {mi}. {l} signed the lease.",
    "my friend {gl} {ll} is coming over tonight", "I asked {n} whether the flat was free.",
    "{n}, {n2} and {n3} were promoted.", "NAME: {nu}", "Sent on behalf of {n}", "cc {n}; {n2}",
    "Ask {g} about the keys.", "Many thanks to {n} for the photos.", "{g} and {g2} got married in {c}.",
    "The house belongs to {l}'s family.", "- {n}\n- {n2}\n- {n3}", "Hi {g}, {n2} here.",
]
NEGATIVES = [
    "Order 48392017 shipped on 2021-03-04.", "Version 10.2.3 fixes the crash on start-up.",
    "The city had a population of 1 234 567 in 2011.", "ISBN 978-3-16-148410-0", "Room 1204, building 3.",
    "Prices from $1,299.99 to $2,499.00.", "Coordinates 48.8566, 2.3522", "Flight LH 400 departs at 10:45.",
    "Invoice no. 2023-000145, due 30 days.", "Scores: 98 87 76 65", "Serial 1234-5678-9012",
    "Between 1914 and 1918 the town lost 2,300 men.", "Model XR-2200 weighs 14.5 kg.",
    "Chapter 12, pages 345-367.", "See table 3.2.1 and figure 4.", "Call stack depth exceeded at line 20451.",
    "Zip code 90210 is in Beverly Hills.", "Tracking number 1Z999AA10123456784", "Download 64-bit build 22621.1702",
    "The Golden Gate Bridge opened in May 1937.", "Apple Park is in Cupertino.", "Lake Tahoe Community College",
    "New York Stock Exchange", "Windows Server 2019 Datacenter", "The Great Barrier Reef",
    "Visit the Museum of Modern Art.", "Saint Patrick's Day parade", "Grand Central Terminal",
    "Mount Kilimanjaro National Park", "Sales grew 12.5% to 4.2 billion.", "Account 00123 4567 8901",
    "Rated 4.5/5 by 12 345 customers.", "Temperature 21.5 C at 14:00", "GPS 40.7128 N, 74.0060 W",
]


def _faker(locale: str, seed: int):
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


def dev_set(seed: int, n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, gold spans) for ``n`` phone, ``n`` person and every negative sentence."""
    rng = random.Random(seed)
    phones = {loc: _faker(loc, seed) for loc in PHONE_LOCALES}
    people = {loc: _faker(loc, seed) for loc in NAME_LOCALES}
    en = _faker("en_US", seed)
    out = []

    def name(fake) -> tuple[str, str, str]:
        first, last = fake.first_name(), fake.last_name()
        return first, last, f"{first} {last}"

    for k in range(2 * n):
        if k < n:
            template = rng.choice(PHONE_WITH_WORD if k % 2 else PHONE_WITHOUT_WORD)
            fake = phones[rng.choice(PHONE_LOCALES)]
            person_fake = en
        else:
            template = rng.choice(PERSON)
            fake = en
            person_fake = people[rng.choice(NAME_LOCALES)]
        g, ln, full = name(person_fake)
        g2, l2, _ = name(person_fake)
        ext = f"{fake.phone_number()} {rng.choice(('ext.', 'x', 'ext', 'Ext'))} {rng.randint(2, 9999)}"
        values = {"p": ("PHONE_NUMBER", _phone(fake, rng)), "p2": ("PHONE_NUMBER", _phone(fake, rng)),
                  "px": ("PHONE_NUMBER", ext), "n3": ("PERSON", " ".join(name(person_fake)[:2])),
                  "g2": ("PERSON", g2), "l2": ("PERSON", l2), "nu": ("PERSON", full.upper()),
                  "mi": ("PERSON", rng.choice("ABCDEFGHJKLMNPRSTW")),
                  "n": ("PERSON", full), "n2": ("PERSON", " ".join(name(person_fake)[:2])),
                  "g": ("PERSON", g), "gl": ("PERSON", g.lower()), "l": ("PERSON", ln), "ll": ("PERSON", ln.lower()),
                  "i": ("PERSON", g[:1]), "c": ("_CITY", en.city()), "o": ("_ORG", en.company()),
                  "e": ("_EMAIL", en.email())}
        out.append(_fill(template, values))
    out += [(t, []) for t in NEGATIVES]
    return out


def _phone(fake, rng: random.Random) -> str:
    """A phone number from the locale's own format lists: the general one, or its mobile list when it has one."""
    for method in ("cellphone_number", "mobile_number"):
        if hasattr(fake, method) and rng.random() < 0.3:
            try:
                return getattr(fake, method)()
            except AttributeError:
                break
    return fake.phone_number()


def _fill(template: str, values: dict[str, tuple[str, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    """The template with its fields replaced, and the gold spans; adjacent name parts are one name: "{i}. {l}",
    "{g} {l}", "{gl} {ll}", "{g} {mi}. {l}" and the inverted "{l}, {g}" (a list "{n}, {n2}" stays apart)."""
    import re

    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        kind, value = values[m.group(1)]
        spans.append([len(text), len(text) + len(value), kind, m.group(1)])
        text += value
        pos = m.end()
    text += template[pos:]
    joined: list[list] = []
    for s in spans:
        if joined and (joined[-1][3], s[3]) in _NAME_PARTS and text[joined[-1][1]:s[0]] in (". ", " ", ", "):
            joined[-1][1], joined[-1][3] = s[1], s[3]
        else:
            joined.append(s)
    return text, [tuple(s[:3]) for s in joined]


_NAME_PARTS = {("i", "l"), ("g", "l"), ("gl", "ll"), ("l", "g"), ("g", "mi"), ("mi", "l")}


def main() -> None:
    """Print dev precision/recall (and web counts when asked)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=400, help="phone sentences and person sentences (each)")
    ap.add_argument("--profile", default="ner", choices=("ner", "patterns"))
    ap.add_argument("--misses", action="store_true", help="print missed gold spans and false positives")
    ap.add_argument("--web", type=int, default=0, help="also count findings on this many ~2 KB web slices")
    ap.add_argument("--dump", help="write the web findings (text of each span) to this JSONL file")
    args = ap.parse_args()
    from pii import _build, score, web_docs

    run = _build("sieve-ner" if args.profile == "ner" else "sieve-patterns")
    data = dev_set(args.seed, args.n)
    preds = run([t for t, _ in data])
    counts = score(data, preds, 0.5)
    print(f"dev seed {args.seed}: {len(data)} texts, profile {args.profile}")
    for entity in ("PHONE_NUMBER", "PERSON"):
        c = counts[entity]
        p = (c["predicted"] - c["fp"]) / c["predicted"] if c["predicted"] else float("nan")
        r = c["tp"] / c["annotated"] if c["annotated"] else float("nan")
        print(f"  {entity:13s} annotated {c['annotated']:4d}  P {p:.3f}  R {r:.3f}  FP {c['fp']}")
    fp_neg = sum(1 for (t, g), pr in zip(data, preds, strict=True) if not g for s in pr
                 if s[2] in ("PHONE_NUMBER", "PERSON"))
    print(f"  findings on the {len(NEGATIVES)} negative sentences: {fp_neg}")
    if args.misses:
        for (text, gold), pred in zip(data, preds, strict=True):
            for s, e, kind in gold:
                if kind in ("PHONE_NUMBER", "PERSON") and not any(
                        p[2] == kind and p[0] < e and p[1] > s for p in pred):
                    print(f"MISS {kind}: {text[s:e]!r} in {text!r}")
            for s, e, kind in pred:
                if kind in ("PHONE_NUMBER", "PERSON") and not any(
                        g[2] == kind and g[0] < e and g[1] > s for g in gold):
                    print(f"FP {kind}: {text[s:e]!r} in {text!r}")
    if args.web:
        docs = web_docs(args.web)
        found = run(docs)
        kinds = Counter(s[2] for spans in found for s in spans)
        print(f"web: {len(docs)} slices; PHONE_NUMBER {kinds['PHONE_NUMBER']}, PERSON {kinds['PERSON']}")
        if args.dump:
            with open(args.dump, "w") as fh:
                for i, (doc, spans) in enumerate(zip(docs, found, strict=True)):
                    for s, e, kind in spans:
                        if kind in ("PHONE_NUMBER", "PERSON"):
                            fh.write(json.dumps({"doc": i, "kind": kind, "start": s, "value": doc[s:e],
                                                 "before": doc[max(0, s - 30):s]}) + "\n")


if __name__ == "__main__":
    main()
