"""Reference data of the results package: the chain's vocabulary, learning outcomes, the library.

Everything is read from `results/data/*.yaml` once and checked on load, so a bad edit of a
data file fails loudly (ConfigError naming the entry) instead of giving wrong figures.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from tcmap import yamlfile
from tcmap.errors import ConfigError, NotFoundError

CAPACITY_LEVELS = ("individual", "organizational", "enabling_environment")
_LIBRARY_FIELDS = ("code", "title", "definition", "capacity_level", "result_level", "measure",
                   "unit", "direction", "across_periods", "across_activities",
                   "disaggregations", "means_of_verification")


def _load(name: str) -> Any:
    text = resources.files("tcmap.results").joinpath("data", name).read_text(encoding="utf-8")
    return yamlfile.load(text)


@cache
def results_model() -> dict[str, Any]:
    """Node types and their allowed links, measures with their rules, levels, states."""
    return _load("results_model.yaml")


@cache
def learning_outcomes() -> dict[str, dict[str, Any]]:
    """The six WBI learning outcomes by code, in order."""
    return {o["code"]: o for o in _load("learning_outcomes.yaml")["outcomes"]}


@cache
def recognition_rules() -> dict[str, Any]:
    """Identifier patterns that look like outcome codes, and the tag vocabularies to read."""
    data = _load("recognition.yaml")
    for p in data["patterns"]:
        p["regex"] = re.compile(p["identifier"])
    return data


def allowed_rules(measure: str, across: str) -> list[str]:
    """The aggregation rules a measure allows across `periods` or `activities`."""
    measures = results_model()["measures"]
    if measure not in measures:
        raise NotFoundError(f"No measure {measure!r}.", hint=f"Measures: {', '.join(measures)}.")
    return list(measures[measure][f"across_{across}"])


def allowed_links(from_type: str) -> list[str]:
    """The node types a node of this type may link to."""
    return list(results_model()["node_types"][from_type]["links_to"])


def is_training_count(title: str, measure: str) -> bool:
    """Whether an indicator reads as a mere count of people trained."""
    if measure != "count":
        return False
    return re.search(results_model()["training_count_pattern"], title, re.I) is not None


@cache
def indicator_library() -> dict[str, dict[str, Any]]:
    """The library of capacity indicators by code, each checked against the results model."""
    model = results_model()
    out: dict[str, dict[str, Any]] = {}
    for raw in _load("indicator_library.yaml")["indicators"]:
        entry = {"learning_outcome": None, "kirkpatrick_level": None,
                 "counts_people_trained": False, **raw}
        where = f"indicator_library.yaml entry {raw.get('code')!r}"
        missing = [f for f in _LIBRARY_FIELDS if f not in raw]
        if missing:
            raise ConfigError(f"{where} lacks {', '.join(missing)}.",
                              hint="Every library entry declares the fields listed at the top "
                              "of the file.")
        problems = [
            (entry["capacity_level"] not in CAPACITY_LEVELS, "capacity_level"),
            (entry["result_level"] not in model["result_levels"], "result_level"),
            (entry["direction"] not in model["directions"], "direction"),
            (entry["measure"] not in model["measures"], "measure"),
            (entry["learning_outcome"] not in (None, *learning_outcomes()), "learning_outcome"),
            (entry["code"] in out, "code (repeated)"),
        ]
        if entry["measure"] in model["measures"]:
            problems += [
                (entry["across_periods"] not in allowed_rules(entry["measure"], "periods"),
                 "across_periods"),
                (entry["across_activities"] not in allowed_rules(entry["measure"], "activities"),
                 "across_activities"),
            ]
        trained = entry["counts_people_trained"] or is_training_count(
            entry["title"], entry["measure"])
        problems.append((trained and entry["result_level"] in model["no_training_counts_at"],
                         "result_level (a count of people trained is an output)"))
        bad = [name for wrong, name in problems if wrong]
        if bad:
            raise ConfigError(f"{where} has a wrong {', '.join(bad)}.",
                              hint="See results_model.yaml for the allowed values.")
        out[entry["code"]] = entry
    return out


def library_entry(code: str) -> dict[str, Any]:
    """One library indicator, or NotFoundError listing how to see them."""
    try:
        return indicator_library()[code]
    except KeyError:
        raise NotFoundError(f"No library indicator {code!r}.",
                            hint="List them with `tcmap indicator library`.") from None


def library_listing(level: str | None = None, result_level: str | None = None
                    ) -> dict[str, Any]:
    """The library, optionally narrowed to a capacity level and a result level."""
    rows = [e for e in indicator_library().values()
            if (level is None or e["capacity_level"] == level)
            and (result_level is None or e["result_level"] == result_level)]
    return {"indicators": rows, "count": len(rows),
            "learning_outcomes": list(learning_outcomes().values()),
            "aggregations": results_model()["aggregations"]}
