"""Write ``data/names/given_intl.txt``: given names from Faker's person providers, in Latin script.

Run once, with Faker importable (it is no dependency of Sieve), e.g. from its unpacked MIT-licensed wheel::

    PYTHONPATH=/tmp/fk .venv/bin/python -m benchmarks.faker_given_names

Every locale's ``faker.providers.person.<locale>.Provider`` is read; its ``first_names*`` and
``first_romanized_names*`` attributes (tuples, lists or weighted dicts) give the names. Only one-word names written
in Latin letters (an apostrophe or hyphen allowed) of two letters or more are kept, so for a locale whose script is
not Latin (ru_RU, ja_JP, el_GR...) only its romanised forms count, when the provider has them. The names are written
lower-cased, sorted, one a line, after a header naming the Faker version. Which of them the PII stage uses (no
everyday English word) is decided at load time (``tasks.detectors.pii_names.census_names``).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import regex

OUT = Path(__file__).resolve().parent.parent / "data" / "names" / "given_intl.txt"
_NAME = regex.compile(r"\p{Latin}{2,}(?:['\u2019\-]\p{Latin}+)*")


def given_names() -> tuple[str, list[str], set[str]]:
    """(Faker's version, the locales read, the lower-cased Latin-script given names they hold)."""
    import faker
    import faker.providers.person as person

    names: set[str] = set()
    locales = []
    for mod in sorted(pkgutil.iter_modules(person.__path__), key=lambda m: m.name):
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        locales.append(mod.name)
        for attr in dir(provider):
            if not attr.startswith("first_") or "names" not in attr or "kana" in attr:
                continue
            value = getattr(provider, attr)
            if isinstance(value, (tuple, list, dict)):
                names.update(n.strip().lower() for n in value if isinstance(n, str) and _NAME.fullmatch(n.strip()))
    return faker.VERSION, locales, names


def main() -> None:
    """Write the list (see the module docstring)."""
    version, locales, names = given_names()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Given names from Faker {version} (MIT) person providers, {len(locales)} locales, Latin script only;"
              f" written by benchmarks/faker_given_names.py\n")
    OUT.write_text(header + "".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")
    print(f"{len(names)} names from {len(locales)} locales -> {OUT}")


if __name__ == "__main__":
    main()
