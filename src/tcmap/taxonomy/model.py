"""The framework as plain, immutable objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a dimension, with its title and (for outcomes) its group."""

    code: str
    title: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Dimension:
    """A named set of codes, such as outcomes or modalities."""

    name: str
    codes: dict[str, Code]

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self):
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, slots=True)
class Group:
    """A group of outcomes (a strategic objective)."""

    code: str
    title: str
    outcomes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Example:
    """An example of capacity-development activities of an approach, with its reading."""

    text: str
    modalities: tuple[str, ...] = ()
    capacity_levels: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Approach:
    """A technical cooperation approach used for an outcome (a row of the paper's appendix)."""

    code: str
    outcome: str
    name: str
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    """A versioned framework: groups, dimensions of codes and approaches per outcome."""

    code: str
    title: str
    version: str
    source: str
    groups: tuple[Group, ...]
    dimensions: dict[str, Dimension]
    approaches: tuple[Approach, ...] = field(default=())

    @property
    def outcomes(self) -> Dimension:
        return self.dimensions["outcomes"]

    def dimension(self, name: str) -> Dimension:
        """The named dimension; KeyError lists the ones that exist."""
        try:
            return self.dimensions[name]
        except KeyError:
            raise KeyError(
                f"{self.code} has no dimension {name!r}; it has {', '.join(self.dimensions)}"
            ) from None

    def approaches_for(self, outcome: str) -> list[Approach]:
        return [a for a in self.approaches if a.outcome == outcome]

    def to_dict(self) -> dict[str, Any]:
        """Everything in the framework as JSON-ready data."""
        return {
            "code": self.code,
            "title": self.title,
            "version": self.version,
            "source": self.source,
            "groups": [
                {"code": g.code, "title": g.title, "outcomes": list(g.outcomes)}
                for g in self.groups
            ],
            "dimensions": {
                name: [
                    {"code": c.code, "title": c.title, **({"group": c.group} if c.group else {})}
                    for c in dim
                ]
                for name, dim in self.dimensions.items()
            },
            "approaches": [
                {
                    "code": a.code,
                    "outcome": a.outcome,
                    "name": a.name,
                    "examples": [
                        {
                            "text": e.text,
                            "modalities": list(e.modalities),
                            "capacity_levels": list(e.capacity_levels),
                            "target_groups": list(e.target_groups),
                        }
                        for e in a.examples
                    ],
                }
                for a in self.approaches
            ],
        }
