"""Word lists shared by every kind of sample document: people, places, dates, brands, sites, user names, colours,
section breaks of multi-part pages, and the rewordings ``TextFactory.vary`` applies to all generated English."""

from __future__ import annotations

import re

FIRST_NAMES = [
    "Maria", "James", "Priya", "Tomasz", "Aisha", "Daniel", "Mei", "Oliver", "Fatima", "Lucas", "Hannah",
    "Kwame",
    "Sofia", "Ethan", "Ingrid", "Rafael", "Chloe", "Arjun", "Nora", "Samuel", "Yuki", "Gabriel", "Leah",
    "Mateo",
    "Zara", "Henry", "Amara", "Felix", "Ruth", "Diego",
]
LAST_NAMES = [
    "Lindqvist", "Okafor", "Brennan", "Castillo", "Nakamura", "Whitfield", "Adeyemi", "Kowalski",
    "Harrington",
    "Moreau", "Patel", "Sorensen", "Delgado", "Fitzgerald", "Mensah", "Novak", "Ashworth", "Ferreira",
    "Greenberg",
    "Halloran", "Iverson", "Jankowski", "Keane", "Larsen", "Mbeki", "Osei", "Pemberton", "Quinlan",
    "Rahman", "Tanaka",
]
TOWNS = [
    "Ashford Vale", "Brookmere", "Caldwell Springs", "Dunmore", "Eastleigh", "Fairhaven", "Glenrock",
    "Harlow Bay",
    "Ivybridge", "Juniper Falls", "Kingsbury", "Lakemont", "Millbrook", "Northfield", "Oakridge", "Pinecrest",
    "Queensport", "Riverton", "Stillwater", "Thornbury",
]
STREETS = ["Elm Street", "Mill Road", "Harbor Avenue", "Station Road", "Chestnut Lane", "Market Street", "Ridge Drive"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November",
    "December",
]
BRANDS = [
    "Norvale", "Tessaline", "Brightwell", "Oakhurst", "Lumora", "Parkside", "Halvard", "Corbel", "Meadowlark",
    "Driftwood", "Stonebridge", "Quillon", "Arden", "Vantor", "Kestrel",
]
SAFE_BRANDS = ["budget", "mid-range", "premium", "entry-level", "own-brand", "refurbished", "compact"]
SITES = [
    "dailyharbor", "homeworkshop", "kitchenledger", "gearnotes", "greenthumbdiary", "townsquarenews",
    "fixitforum",
    "trailandtable", "brightside-reviews", "valleycourier", "weekendmaker", "thriftyhome",
]
USERNAMES = [
    "quietbadger", "tinkerer_42", "sourdough_sam", "northwind", "mossyrock", "gearhead77", "paperlantern",
    "coffee_and_code", "lazyfern", "bluecanoe", "oldmanriver", "pixelpine", "saltmarsh", "hollyhock",
    "ridgeback",
    "cobblestone", "marmalade_cat", "slowcooker", "driftwood_dan", "ferrisfan",
]
COLORS = ["matte black", "sage green", "warm grey", "navy blue", "cream", "charcoal", "brushed silver", "terracotta"]

SECTION_BREAKS = {
    "review": ["* * *", "Another customer review", "More reviews", "Next review"],
    "news": ["In other news", "Also today", "More local news", "Elsewhere in the region"],
    "recipe": ["Another favourite", "Also from our kitchen", "More recipes", "Try this next"],
}

# Context-safe rewordings applied at random to generated English (keeps same-topic documents apart).
SWAPS: list[tuple[str, list[str]]] = [  # patterns match lower-cased text and start with a literal (fast search)
    (r"gently\b", ["carefully", "slowly"]), (r"carefully\b", ["gently", "with care"]), (r"large\b", ["big"]),
    (r"big\b", ["large"]), (r"very\b(?! little)", ["really", "quite", "extremely"]),
    (r"usually\b", ["normally", "generally", "typically"]), (r"often\b", ["frequently", "regularly"]),
    (r"almost\b", ["nearly"]), (r"a few\b", ["a couple of", "several"]),
    (r"about (?=\d)", ["around ", "roughly ", "approximately "]), (r"roughly\b", ["about", "approximately"]),
    (r"make sure\b", ["check", "ensure"]), (r"\. then\b", [". Next,", ". After that,"]),
    (r", then\b", [", and then", ", after that"]), (r"great\b", ["excellent", "brilliant", "fantastic"]),
    (r"nice\b", ["pleasant", "welcome"]), (r"bought\b", ["purchased", "picked up"]), (r"problem\b", ["issue"]),
    (r"the whole\b", ["the entire"]), (r"completely\b", ["fully", "entirely"]),
    (r"thoroughly\b", ["well", "generously"]), (r"straight away\b", ["right away", "immediately"]),
    (r"afterwards\b", ["after that", "later"]), (r"a lot of\b", ["plenty of", "lots of"]), (r"simply\b", ["just"]),
    (r"slightly\b", ["a little", "a bit"]), (r"probably\b", ["likely", "most likely"]), (r"perhaps\b", ["maybe"]),
    (r"every day\b", ["daily", "each day"]), (r"at least\b", ["no less than"]), (r"more than\b", ["over"]),
    (r"so far\b", ["up to now", "until now"]), (r"mostly\b", ["mainly", "largely"]),
    (r"mainly\b", ["mostly", "largely"]), (r"really\b", ["truly"]), (r"stir\b", ["mix"]), (r"chopped\b", ["diced"]),
    (r"should (?!(?:i|we|you|they|he|she|it)\b)", ["ought to "]), (r"quickly\b", ["fast", "rapidly"]),
    (r"immediately\b", ["at once", "right away"]), (r"for a few minutes\b", ["briefly", "for a minute or two"]),
    (r"exactly\b", ["precisely"]), (r"check that\b", ["make sure that", "confirm that"]),
    (r"noticeably\b", ["clearly", "visibly"]), (r"happy\b", ["glad", "pleased"]),
    (r"start\b(?= (?:with|at|by)\b)", ["begin"]), (r"helps\b", ["makes a difference", "is useful"]),
    (r"money\b", ["cash"]),
]
# (literal that must occur for the pattern to match, compiled pattern, alternatives)
SWAP_PATTERNS = [
    (re.match(r"[a-z ,.]+", p.replace("\\.", ".")).group(), re.compile(p), alts)  # type: ignore[union-attr]
    for p, alts in SWAPS
]
