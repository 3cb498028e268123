"""Collect every authoring problem of a file and raise them together, each with line and field."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LoadError

__all__ = ["Problem", "Problems"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where it is (line, field) and what was expected."""

    line: int
    field: str
    message: str
    location: str = ""


@dataclass
class Problems:
    """The problems found in one file, reported all at once."""

    location: str
    found: list[Problem] = field(default_factory=list)

    def add(self, line: int | None, field_name: str, message: str, location: str | None = None) -> None:
        """Record a problem at a line (1-based) and field, in this file or in another (its header)."""
        self.found.append(Problem(line or 0, field_name, message, location or self.location))

    def text(self) -> str:
        """Return one line per problem: FILE, line N, field F: message."""
        return "\n".join(
            f"{p.location}, line {p.line}, field {p.field}: {p.message}" if p.line
            else f"{p.location}, field {p.field}: {p.message}"
            for p in sorted(set(self.found), key=lambda p: (p.location != self.location, p)))

    def raise_if_any(self) -> None:
        """Raise one LoadError listing every problem, if there is any."""
        if self.found:
            first = min(p.line for p in self.found) or None
            count = len(set(self.found))
            raise LoadError(f"{count} problem(s) in {self.location}:\n{self.text()}",
                            path=self.location, line=first)
