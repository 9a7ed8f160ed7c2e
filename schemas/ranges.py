"""Numeric ranges said in full: an out-of-range value's error names every bound, not only the one it crossed.

Pydantic (and Typer, which validates options with it) says only the bound a value crossed ("Input should be less
than or equal to 256"): the user learns the upper end and must guess the lower one. ``sieve.yaml`` errors and
command-line options both say the whole range here (``valid values: 0 to 256``).
"""

from __future__ import annotations

from typing import Any

#: Pydantic's error types of a crossed bound.
RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def range_text(ge: Any = None, gt: Any = None, le: Any = None, lt: Any = None) -> str:
    """``0 to 256``, ``at least 1024``, ``more than 0 and at most 120``: the values a bounded number may take."""
    if ge is not None and le is not None:
        return f"{ge} to {le}"
    parts = []
    if ge is not None:
        parts.append(f"at least {ge}")
    elif gt is not None:
        parts.append(f"more than {gt}")
    if le is not None:
        parts.append(f"at most {le}")
    elif lt is not None:
        parts.append(f"less than {lt}")
    return " and ".join(parts)


def field_bounds(field: Any) -> dict[str, Any]:
    """The ``ge``/``gt``/``le``/``lt`` of a pydantic ``FieldInfo`` (its annotated-types metadata)."""
    bounds: dict[str, Any] = {}
    for item in getattr(field, "metadata", ()):
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(item, name, None)
            if value is not None:
                bounds[name] = value
    return bounds


def out_of_range(value: Any, bounds: dict[str, Any]) -> str:
    """``invalid value 300; valid values: 0 to 256``."""
    return f"invalid value {value}; valid values: {range_text(**bounds)}"
