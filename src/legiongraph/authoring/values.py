"""Parse the plain values analysts write: dates and periods, counts, controlled terms, durations."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from rdflib.namespace import XSD

from .literals import canonical_form

__all__ = ["QUALIFIERS", "DateSpan", "parse_admiralty", "parse_count", "parse_date_span",
           "parse_duration", "parse_qualifier", "slug_of"]

DATE_EXPECTED = "expected YYYY-MM-DD, YYYY-MM, YYYY or FROM..TO"
# Words an analyst writes for a count's qualifier -> the qualifier concept's slug.
QUALIFIERS = {
    "": "exactly", "exactly": "exactly", "at least": "at-least", "at-least": "at-least",
    "more than": "more-than", "more-than": "more-than", "over": "more-than",
    "nearly": "nearly", "almost": "nearly", "approximately": "approximately", "about": "approximately",
}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


@dataclass(frozen=True)
class DateSpan:
    """A day, month, year or range, as its first and last day and a precision slug."""

    start: date
    end: date
    precision: str  # day, month, year or period
    text: str

    @property
    def is_day(self) -> bool:
        """Tell whether the span is one exact day."""
        return self.precision == "day"

    def label(self) -> str:
        """Return the span in words, as the article's labels write it."""
        if self.precision == "day":
            return day_label(self.start)
        if self.precision == "month":
            return f"{_MONTHS[self.start.month - 1]} {self.start.year}"
        if self.precision == "year":
            return str(self.start.year)
        return f"{day_label(self.start)} to {day_label(self.end)}"


def day_label(day: date) -> str:
    """Return a date as '2 May 2025'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _one(text: str) -> DateSpan:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return DateSpan(date(year, 1, 1), date(year, 12, 31), "year", text)
    if not 1 <= month <= 12:
        raise ValueError(text)
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return DateSpan(date(year, month, 1), date(year, month, last), "month", text)
    if not 1 <= day <= last:
        raise ValueError(text)
    return DateSpan(date(year, month, day), date(year, month, day), "day", text)


def parse_date_span(value: object) -> DateSpan:
    """Parse 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'FROM..TO'; raise ValueError with the expectation."""
    text = str(value).strip()
    try:
        if ".." in text:
            first, _, last = text.partition("..")
            start, end = _one(first.strip()), _one(last.strip())
            if end.end < start.start:
                raise ValueError(text)
            return DateSpan(start.start, end.end, "period", text)
        return _one(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date ({DATE_EXPECTED})") from None


def parse_count(value: object) -> int:
    """Parse a non-negative whole number, allowing '1,500'; raise ValueError saying what is expected."""
    text = str(value).strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f"{str(value)!r} is not a count (expected a whole number such as 81 or 1500)")
    return int(text)


def parse_qualifier(value: object) -> str:
    """Return the qualifier slug for 'at least', 'nearly', ... ; raise ValueError listing the choices."""
    text = re.sub(r"\s+", " ", str(value or "").strip().lower())
    if text not in QUALIFIERS:
        choices = "exactly, at least, more than, nearly, approximately"
        raise ValueError(f"unknown qualifier {value!r} (expected one of: {choices})")
    return QUALIFIERS[text]


def parse_admiralty(value: object) -> tuple[str, str]:
    """Split an Admiralty code such as 'B2' into reliability and credibility."""
    text = str(value).strip().upper()
    if not re.fullmatch(r"[A-F][1-6]", text):
        raise ValueError(f"{value!r} is not an Admiralty code (expected a letter A-F and a digit 1-6, "
                         "such as B2)")
    return text[0], text[1]


def parse_duration(value: object) -> str:
    """Return an xsd:duration such as 'P10Y' from 'P10Y' or '10 years'."""
    text = str(value).strip()
    if re.fullmatch(r"P(?=\d)(\d+Y)?(\d+M)?(\d+D)?", text):
        return canonical_form(text, str(XSD.duration))
    match = re.fullmatch(r"(\d+)\s*(year|month|day)s?", text, re.IGNORECASE)
    if match:
        # in the form the store keeps, so that the data file and the store agree ("P18M" is "P1Y6M")
        return canonical_form(f"P{match.group(1)}{match.group(2)[0].upper()}", str(XSD.duration))
    raise ValueError(f"{text!r} is not a duration (expected P10Y or '10 years')")


def slug_of(text: str) -> str:
    """Return a lower-case slug of a text, for IRIs of organisations, places and data sets."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
