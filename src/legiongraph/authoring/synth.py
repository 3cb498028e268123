"""Synthetic data in the project's own model, for benchmarks and scale tests.

:func:`synthesize` writes one source file (TriG, one named graph ``graph/source/NAME``) that
conforms to the shapes after reasoning: persons with a nationality (real countries from the
reference data), units with sub-units, places inside real countries, captures, sentencings and
recruitments with places and dates, memberships, claims with certainty, data sets of observations,
and the documents and claimants behind every statement. The same seed gives the same bytes. The
file is written as it is generated, so a million triples need no more memory than a thousand.

Every label says "synthetic" and no name is a real person's: this data must never be mistaken
for the article's.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..errors import ConfigError
from ..fsutil import atomic_write
from ..iris import source_graph
from ..progress import QUIET, Progress

__all__ = ["SynthResult", "synthesize"]

# Citizenships of foreign prisoners named in the article, weighted roughly as its table is.
NATIONALITIES = {"TJ": 12, "UZ": 12, "NP": 9, "LK": 8, "BY": 7, "KP": 6, "IN": 5, "KG": 5, "KZ": 4,
                 "CN": 4, "SY": 3, "CU": 3, "MD": 3, "AM": 3, "AZ": 2, "SN": 2, "SO": 2, "SL": 2,
                 "EG": 2, "CM": 2, "TG": 1, "GH": 1, "ZM": 1, "IQ": 1, "BR": 1, "CO": 1}
CERTAINTY = ("reported", "reported", "reported", "confirmed", "alleged", "assumed")
CLAIM_CERTAINTY = ("alleged", "assumed", "denied")
ROLES = ("soldier", "soldier", "soldier", "mercenary", "marksman", "recruit",
         "sabotage-reconnaissance-fighter", "commander")
QUALIFIERS = ("exactly", "exactly", "at-least", "more-than", "nearly", "approximately")
START = dt.date(2022, 3, 1)
SPAN_DAYS = (dt.date(2025, 5, 1) - START).days
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
PREFIXES = """BASE <https://w3id.org/legiongraph/id/>
@prefix lg: <https://w3id.org/legiongraph/ontology#> .
@prefix certainty: <https://w3id.org/legiongraph/def/certainty/> .
@prefix role: <https://w3id.org/legiongraph/def/role/> .
@prefix evtype: <https://w3id.org/legiongraph/def/event-type/> .
@prefix qualifier: <https://w3id.org/legiongraph/def/qualifier/> .
@prefix precision: <https://w3id.org/legiongraph/def/date-precision/> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class SynthResult:
    """What :func:`synthesize` wrote."""

    path: Path
    graph: str
    triples: int
    persons: int


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def _date(day: dt.date) -> str:
    return f'"{day.isoformat()}"^^xsd:date'


class _Writer:
    """Write one Turtle subject block at a time and count the triples."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.triples = 0

    def block(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self.out.write(f"{subject} {body} .\n")
        self.triples += len(pairs)


class _Generator:
    def __init__(self, writer: _Writer, name: str, target: int, rng: random.Random) -> None:
        self.w, self.name, self.target, self.rng = writer, name, target, rng
        self.codes = list(NATIONALITIES)
        self.weights = list(NATIONALITIES.values())
        self.persons = 0
        self.seen: set[str] = set()
        self.doc = f"<doc/{name}/main>"

    def iri(self, kind: str, local: str) -> str:
        return f"<{kind}/{self.name}/{local}>"

    def prov(self, claimant: str, certainty: str | None = None) -> list[tuple[str, str]]:
        pairs = [("prov:wasDerivedFrom", self.doc), ("prov:wasAttributedTo", claimant),
                 ("lg:certainty", f"certainty:{certainty or self.rng.choice(CERTAINTY)}")]
        if self.rng.random() < 0.3:
            pairs.append(("lg:citedSource", self.rng.choice(self.docs)))
        return pairs

    def person_iri(self) -> str:
        """Draw an opaque person IRI (as iris.mint_person does, but from the seeded generator)."""
        while True:
            iri = "<person/" + "".join(self.rng.choice(_B32) for _ in range(8)) + ">"
            if iri not in self.seen:  # two persons must never share an IRI, however unlikely
                self.seen.add(iri)
                return iri

    def day(self) -> dt.date:
        return START + dt.timedelta(days=self.rng.randrange(SPAN_DAYS))

    def header(self) -> None:
        """Write the documents, claimants, places and the two order-of-battle trees."""
        w, rng, scale = self.w, self.rng, max(1, self.target // 1000)
        self.media = [self.iri("org", f"media{i}") for i in range(1 + scale // 4)]
        for i, media in enumerate(self.media):
            w.block(media, [("a", "lg:MediaOrganization"), ("rdfs:label", _lit(f"Synthetic outlet {i}")),
                            ("lg:basedIn", "<country/UA>")])
        self.services = [self.iri("org", f"service{i}") for i in range(1 if self.target < 1000 else 3)]
        for i, service in enumerate(self.services):
            w.block(service, [("a", "lg:IntelligenceService"),
                              ("rdfs:label", _lit(f"Synthetic intelligence service {i}")),
                              ("lg:basedIn", "<country/UA>")])
        self.claimants = self.media + self.services
        w.block(self.doc, [("a", "lg:SourceDocument"), ("a", "schema:NewsArticle"),
                           ("rdfs:label", _lit(f"Synthetic benchmark source {self.name}")),
                           ("schema:headline", _lit(f"Synthetic data set {self.name}")),
                           ("schema:datePublished", _date(dt.date(2025, 5, 17))),
                           ("schema:publisher", self.media[0]), ("schema:inLanguage", '"en"')])
        self.docs = [self.iri("doc", f"d{i}") for i in range(1 + scale)]
        for i, doc in enumerate(self.docs):
            w.block(doc, [("a", "lg:SourceDocument"), ("rdfs:label", _lit(f"Synthetic report {i}")),
                          ("schema:datePublished", _date(self.day())),
                          ("schema:publisher", rng.choice(self.media)), ("schema:inLanguage", '"uk"'),
                          ("schema:url", f'"https://example.org/{self.name}/d{i}"^^xsd:anyURI')])
        self.cities = self._places("UA", 2 + scale // 2, "schema:City")
        self.ru_places = self._places("RU", 1 + scale // 4, "lg:TrainingGround")
        self.units = self._forces("ru", "<country/RU>", 2 + scale)
        self.captors = self._forces("ua", "<country/UA>", 1 + scale // 3)
        self.courts = [(self.iri("org", f"court{i}"), rng.choice(self.cities))
                       for i in range(1 + scale // 10)]
        for i, (court, city) in enumerate(self.courts):
            w.block(court, [("a", "lg:Court"), ("rdfs:label", _lit(f"Synthetic district court {i}")),
                            ("lg:basedIn", city)])

    def _places(self, country: str, count: int, kind: str) -> list[str]:
        leaves = []
        regions = [self.iri("place", f"{country.lower()}-region{i}") for i in range(1 + count // 5)]
        for i, region in enumerate(regions):
            self.w.block(region, [("a", "schema:AdministrativeArea"),
                                  ("rdfs:label", _lit(f"Synthetic region {country}-{i}")),
                                  ("schema:containedInPlace", f"<country/{country}>")])
        for i in range(count):
            leaf = self.iri("place", f"{country.lower()}-{i}")
            self.w.block(leaf, [("a", kind), ("rdfs:label", _lit(f"Synthetic place {country}-{i}")),
                                ("schema:containedInPlace", self.rng.choice(regions))])
            leaves.append(leaf)
        return leaves

    def _forces(self, side: str, country: str, leaves: int) -> list[str]:
        """Write a force with divisions, regiments and battalions; return the battalions."""
        top = self.iri("org", f"{side}-forces")
        self.w.block(top, [("a", "lg:ArmedFormation"), ("rdfs:label", _lit(f"Synthetic {side} armed forces")),
                           ("lg:basedIn", country)])
        battalions: list[str] = []
        parents = [top]
        for level, label in enumerate(("division", "regiment", "battalion")):
            count = max(1, round(leaves ** ((level + 1) / 3)))
            units = [self.iri("org", f"{side}-{label}{i}") for i in range(count)]
            for i, unit in enumerate(units):
                self.w.block(unit, [("a", "lg:MilitaryUnit"),
                                    ("rdfs:label", _lit(f"Synthetic {side} {label} {i}")),
                                    ("org:subOrganizationOf", parents[i % len(parents)]),
                                    ("lg:basedIn", country)])
            parents = battalions = units
        return battalions

    def statistics(self, budget: int) -> None:
        """Write monthly data sets of prisoners by citizenship, about ``budget`` triples."""
        dsd = self.iri("dsd", "count-by-country")
        self.w.block(dsd, [("a", "qb:DataStructureDefinition"), ("rdfs:label", _lit("Synthetic count"))
                           , ("qb:component", self.iri("dsd", "count-by-country/obs-value"))])
        codes = self.codes[:max(1, min(len(self.codes), budget // 10))]
        for i in range(max(1, budget // (10 * len(codes) + 4))):
            dataset, when = self.iri("dataset", f"pow-{i}"), START + dt.timedelta(days=30 * i)
            self.w.block(dataset, [("a", "qb:DataSet"), ("qb:structure", dsd),
                                   ("rdfs:label", _lit(f"Synthetic prisoners by citizenship, set {i}")),
                                   ("prov:wasDerivedFrom", self.doc)])
            for code in codes:
                self.w.block(self.iri("obs", f"pow-{i}/{code}"), [
                    ("a", "qb:Observation"), ("rdfs:label", _lit(f"Synthetic count {i} {code}")),
                    ("qb:dataSet", dataset), ("sdmx-dimension:refArea", f"<country/{code}>"),
                    ("sdmx-dimension:refPeriod", _date(when)),
                    ("sdmx-measure:obsValue", f'"{self.rng.randrange(200)}"^^xsd:integer'),
                    ("lg:countQualifier", f"qualifier:{self.rng.choice(QUALIFIERS)}"),
                    *self.prov(self.rng.choice(self.claimants))])

    def person(self) -> None:
        """Write one combatant with a membership, a capture and perhaps more events and claims."""
        w, rng, n = self.w, self.rng, self.persons
        self.persons += 1
        person = self.person_iri()
        code = rng.choices(self.codes, self.weights)[0]
        named = rng.random() < 0.6
        pairs = [("a", "lg:Combatant"),
                 ("rdfs:label", _lit(f"Synthetic person {n}" if named else f"Unnamed {code} combatant {n}")),
                 ("schema:nationality", f"<country/{code}>"),
                 ("schema:birthDate", f'"{rng.randrange(1965, 2005)}"^^xsd:gYear')]
        if named:
            pairs.append(("schema:name", _lit(f"Synthetic person {n}")))
        unit, claimant = rng.choice(self.units), rng.choice(self.claimants)
        w.block(self.iri("membership", f"m{n}"), [
            ("a", "org:Membership"), ("rdfs:label", _lit(f"Membership of synthetic person {n}")),
            ("org:member", person), ("org:organization", unit),
            ("org:role", f"role:{rng.choice(ROLES)}"), *self.prov(claimant)])
        captured = self.day()
        capture = self.iri("event", f"capture{n}")
        w.block(capture, [("a", "sem:Event"), ("rdfs:label", _lit(f"Capture of synthetic person {n}")),
                          ("sem:eventType", "evtype:capture"), ("lg:captive", person),
                          ("lg:captor", rng.choice(self.captors)), ("sem:hasPlace", rng.choice(self.cities)),
                          *self._when(captured, rng.choice((0, 0, 0, 30))), *self.prov(claimant)])
        if rng.random() < 0.2:
            age = self.iri("age", f"a{n}")
            pairs.append(("lg:ageStatement", age))
            w.block(age, [("a", "lg:AgeStatement"), ("rdfs:label", _lit(f"Age of synthetic person {n}")),
                          ("lg:ageInYears", f'"{rng.randrange(18, 60)}"^^xsd:integer'),
                          ("lg:ageAtEvent", capture), *self.prov(claimant)])
        w.block(person, pairs)
        if rng.random() < 0.3:
            court, city = rng.choice(self.courts)
            w.block(self.iri("event", f"sentence{n}"), [
                ("a", "sem:Event"), ("rdfs:label", _lit(f"Sentencing of synthetic person {n}")),
                ("sem:eventType", "evtype:sentencing"), ("lg:defendant", person), ("lg:court", court),
                ("sem:hasPlace", city), ("lg:sentenceDuration", f'"P{rng.randrange(3, 16)}Y"^^xsd:duration'),
                *self._when(captured + dt.timedelta(days=rng.randrange(60, 400)), 0),
                *self.prov(rng.choice(self.claimants), "confirmed")])
        if rng.random() < 0.3:
            w.block(self.iri("event", f"recruitment{n}"), [
                ("a", "sem:Event"), ("rdfs:label", _lit(f"Recruitment of synthetic person {n}")),
                ("sem:eventType", "evtype:recruitment"), ("lg:recruit", person),
                ("lg:recruiter", unit), ("sem:hasPlace", rng.choice(self.ru_places)),
                *self._when(captured - dt.timedelta(days=rng.randrange(30, 200)), 0),
                *self.prov(claimant)])
        if rng.random() < 0.15:
            w.block(self.iri("claim", f"c{n}"), [
                ("a", "lg:Claim"), ("rdfs:label", _lit(f"Claim about synthetic person {n}")),
                ("schema:description", _lit("A synthetic claim that the person served in another unit.")),
                ("rdf:subject", person), ("rdf:predicate", "org:memberOf"),
                ("rdf:object", rng.choice(self.units)),
                *self.prov(rng.choice(self.claimants), rng.choice(CLAIM_CERTAINTY))])

    def _when(self, begin: dt.date, days: int) -> list[tuple[str, str]]:
        precision = "day" if days == 0 else "month"
        return [("sem:hasEarliestBeginTimeStamp", _date(begin)),
                ("sem:hasLatestEndTimeStamp", _date(begin + dt.timedelta(days=days))),
                ("lg:datePrecision", f"precision:{precision}")]


def synthesize(
    out: str | Path,
    triples: int,
    seed: int = 1,
    progress: Progress = QUIET,
) -> SynthResult:
    """Write about ``triples`` synthetic triples to ``out`` (TriG) as one source graph; same seed, same bytes.

    The file's stem names the source, as for any file in ``data/sources``.
    """
    path = Path(out)
    try:
        graph = str(source_graph(path.stem))
    except ValueError:
        raise ConfigError(f"{path}: the file's stem names the source graph and must be a lower-case "
                          "slug such as 'synth-1000.trig'") from None
    triples = max(100, int(triples))
    with atomic_write(path, "w") as fh:
        fh.write(f"# Synthetic legiongraph data: {triples} triples requested, seed {seed}.\n")
        fh.write(PREFIXES + f"\n<{graph}> {{\n")
        gen = _Generator(_Writer(fh), path.stem, triples, random.Random(seed))
        progress.step(f"synthesizing about {triples} triples into {path}")
        gen.header()
        gen.statistics(triples // 10)
        step = max(1, triples // 10)
        mark = step
        while gen.persons == 0 or gen.w.triples < triples - 20:
            gen.person()
            if gen.w.triples >= mark:
                progress.step(f"{gen.w.triples} triples, {gen.persons} persons")
                mark += step
        fh.write("}\n")
    return SynthResult(path, graph, gen.w.triples, gen.persons)
