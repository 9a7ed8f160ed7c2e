"""Streets named after people are places, not persons (``pii_streets``)."""

from __future__ import annotations

import pytest


def entities(analyzer, text: str) -> set[tuple[str, str]]:
    return {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type in ("PERSON", "LOCATION")}


@pytest.mark.parametrize(("text", "expected"), [
    # spaCy's PERSON ending in a street word: the whole street is a place (it stays redacted, as <LOCATION>)
    ("Turn left onto Martin Luther King Jr. Blvd and continue.", {("LOCATION", "Martin Luther King Jr. Blvd")}),
    ("Take Martin Luther King Boulevard to the river.", {("LOCATION", "Martin Luther King Boulevard")}),
    ("Walk along John F. Kennedy Boulevard.", {("LOCATION", "John F. Kennedy Boulevard")}),
    ("The bar on Bourbon St. is loud.", {("LOCATION", "Bourbon St.")}),
    ("The school is on Frederick Douglass Blvd.", {("LOCATION", "Frederick Douglass Blvd")}),
    # ... or followed by one: spaCy's person and the street word
    ("She lives at 221 Baker Street.", {("LOCATION", "Baker Street")}),
    # an ambiguous street word (Lane, Way, Court: surnames too) only after a house number
    ("The accident happened at 4 Robert Smith Way.", {("LOCATION", "Robert Smith Way")}),
    # people stay people: a surname that is a street word, a Saint after a name, names next to a street
    ("Lois Lane wrote the story.", {("PERSON", "Lois Lane")}),
    ("Margaret Court won the title.", {("PERSON", "Margaret Court")}),
    ("We met Anna Smith on Elm Street.", {("PERSON", "Anna Smith"), ("LOCATION", "Elm Street")}),
    # a street word written small is a verb or a noun, not a street's name ("drive" after a name was one)
    ("I let Mike drive the car home.", {("PERSON", "Mike")}),
    ("Did Sarah drive to work today?", {("PERSON", "Sarah")}),
    # a year or a day of a month is no house number
    ("In 1970 Margaret Court won all four majors.", {("PERSON", "Margaret Court")}),
    ("On March 3 Lois Lane filed the story.", {("PERSON", "Lois Lane")}),
    ("In 2019, Lois Lane moved.", {("PERSON", "Lois Lane")}),
    # a surname that is a street word, with an apposition after it: a person
    ("John Street, the CEO, resigned.", {("PERSON", "John Street")}),
    # ... while a house number still makes a street of it, a 4-digit one after "at" too
    ("She lives at 1234 Robert Smith Way.", {("LOCATION", "Robert Smith Way")}),
])
def test_streets_named_after_people_are_places(ner, text, expected):
    assert entities(ner, text) == expected
