"""Turn what an analyst writes (a name, an alias, an ISO code, an IRI) into the IRI it means.

Names are looked up among the entities this file defines first, then in the store (``existing``):
``rdfs:label``, ``skos:altLabel`` and ``schema:name`` for any entity, and ``lg:isoAlpha2/3`` for
countries. Nothing is guessed: an unknown name is an error suggesting the closest known names.
"""

from __future__ import annotations

import difflib
import re

from rdflib import Graph, URIRef

from ..iris import ID, PREFIXES, concept
from .known import Known, as_known
from .known import name_key as _key

__all__ = ["COUNTRY_ALIASES", "KINDS", "Resolver", "Unresolved"]

# Kinds of instance IRI an analyst may write as "kind/slug" (see docs/model.md).
KINDS = ("person", "country", "m49", "place", "org", "doc", "event", "membership", "dataset",
         "obs", "claim", "period", "instant", "amount", "age", "offer", "dsd")
_KIND_REF = re.compile(r"^(?:lgid:)?(" + "|".join(KINDS) + r")/[A-Za-z0-9._/-]+$")
# Common names and abbreviations of countries that are neither their label nor an ISO code
# ("NK" is no ISO code: without this it looks like Norfolk Island (NF) or Denmark (DK)).
COUNTRY_ALIASES = {
    "north korea": "KP", "nk": "KP", "dprk": "KP", "democratic people's republic of korea": "KP",
    "south korea": "KR", "republic of korea": "KR", "rok": "KR", "russia": "RU",
    "russian federation": "RU", "türkiye": "TR", "turkiye": "TR", "turkey": "TR",
    "côte d'ivoire": "CI", "cote d'ivoire": "CI", "ivory coast": "CI", "czechia": "CZ",
    "czech republic": "CZ", "eswatini": "SZ", "swaziland": "SZ", "myanmar": "MM", "burma": "MM",
}
_CUTOFF = 0.75  # how close a known name must be to be suggested (difflib's ratio)
_CURIE = re.compile(r"^([a-z][a-z0-9-]*):([A-Za-z_][A-Za-z0-9._-]*)$")


class Unresolved(ValueError):
    """A reference that names nothing known; the message says what was expected."""


class Resolver:
    """Names and IRIs known in the store plus those defined by the file being compiled."""

    def __init__(self, existing: Graph | Known) -> None:
        # The store's side is asked name by name (Known); only the countries, a few hundred, are
        # read whole, because an area may be any of their codes, labels and other names.
        self.existing = as_known(existing)
        self.subjects: set[URIRef] = set()  # defined by the file
        self._described: dict[URIRef, bool] = {}
        self._named: dict[str, set[URIRef]] = {}
        self.display: dict[str, str] = {}
        self.countries: dict[str, URIRef] = {}
        self.country_display: dict[URIRef, str] = {}
        countries = self.existing.countries()
        for country in countries:
            label, code = country.label, country.code
            self.country_display[country.iri] = f"{label} ({code})" if label else code
            for name in [code, country.alpha3, label, *country.alt_labels]:
                if name is not None:
                    self.countries[_key(name)] = country.iri
        by_code = {country.code: country.iri for country in countries}
        for alias, code in COUNTRY_ALIASES.items():
            if code in by_code:
                self.countries.setdefault(_key(alias), by_code[code])
        self.local: dict[str, URIRef] = {}

    def define(self, iri: URIRef, *names: str | None) -> None:
        """Register an entity the file defines under its key, id and labels."""
        for name in names:
            if name:
                self.local[_key(str(name))] = iri
                self.display.setdefault(_key(str(name)), str(name))
        self.subjects.add(iri)

    def known(self, iri: URIRef) -> bool:
        """Tell whether an IRI is described in the store or defined by the file."""
        if iri in self.subjects:
            return True
        if iri not in self._described:
            self._described[iri] = self.existing.described(iri)
        return self._described[iri]

    def named(self, key: str, text: str) -> set[URIRef]:
        """Return the store's entities with a name whose key is key (asked once per key)."""
        if key not in self._named:
            self._named[key] = self.existing.named(text)
        return self._named[key]

    def iri(self, text: str) -> URIRef | None:
        """Return the IRI an explicit reference spells (full IRI, CURIE, kind/slug), else None."""
        text = text.strip()
        if text.startswith(("http://", "https://")):
            return URIRef(text)
        match = _KIND_REF.match(text)
        if match:
            return ID[text.removeprefix("lgid:")]
        match = _CURIE.match(text)
        if match and match.group(1) in PREFIXES:
            return URIRef(PREFIXES[match.group(1)] + match.group(2))
        return None

    def entity(self, value: object, what: str = "entity") -> URIRef:
        """Resolve a name or IRI to one entity; raise Unresolved suggesting the closest names."""
        text = str(value).strip()
        explicit = self.iri(text)
        if explicit is not None:
            if not self.known(explicit):
                raise Unresolved(f"no {what} <{explicit}> in the store or in this file")
            return explicit
        key = _key(text)
        if key in self.local:
            return self.local[key]
        found = self.named(key, text) | ({self.countries[key]} if key in self.countries else set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            options = ", ".join(sorted(f"<{iri}>" for iri in found))
            raise Unresolved(f"{text!r} names more than one {what} ({options}); write the IRI instead")
        raise Unresolved(f"unknown {what} {text!r}{self._suggest(key)}")

    def area(self, value: object) -> URIRef:
        """Resolve a country (name, alias, ISO alpha-2/3) or a region; suggest countries if unknown."""
        text = str(value).strip()
        key = _key(text)
        if key in self.countries:
            return self.countries[key]
        try:
            return self.entity(text, "area")
        except Unresolved:
            pass
        close = difflib.get_close_matches(key, list(self.countries), n=3, cutoff=0.8)
        shown = list(dict.fromkeys(self.country_display[self.countries[c]] for c in close))
        hint = f"; did you mean {' or '.join(shown)}?" if shown else ""
        raise Unresolved(f"unknown country {text!r}{hint}")

    def concept(self, scheme: str, value: object) -> URIRef:
        """Return a concept of a scheme from its slug or label; raise Unresolved listing the choices."""
        text = str(value).strip()
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        # Admiralty concepts keep their case (B, 2); every other scheme uses lower-case slugs.
        iri = concept(scheme, text.upper() if scheme.startswith("admiralty") else slug)
        if self.known(iri):
            return iri
        prefix = str(concept(scheme, ""))
        under = set(self.existing.subjects_under(prefix)) | {s for s in self.subjects
                                                             if str(s).startswith(prefix)}
        choices = sorted(str(s)[len(prefix):] for s in under)
        close = difflib.get_close_matches(slug, choices, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise Unresolved(f"unknown {scheme.replace('-', ' ')} {text!r}{hint} "
                         f"(expected one of: {', '.join(choices)})")

    def _suggest(self, key: str) -> str:
        # The store hands back only names that can be close (a scan of the names: the error path).
        stored = self.existing.close_names(key, _CUTOFF)
        close = difflib.get_close_matches(key, list(stored) + list(self.local), n=3, cutoff=_CUTOFF)
        display = {**self.display, **stored}  # the store's spelling first, as it was written there
        shown = [repr(display.get(c, c)) for c in close]
        return f"; did you mean {' or '.join(shown)}?" if shown else ""
