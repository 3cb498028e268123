"""The archive as outside validators see it: RO-Crate (roc-validator), DCAT-AP 3 (pySHACL), BagIt 1.0."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources as importlib_resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from rdflib import Graph, URIRef

from legiongraph.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"
DCAT_AP = SHARED / "reference" / "dcat-ap-3.0.0"
DOCS = Path(__file__).resolve().parents[1] / "docs"
SH = "http://www.w3.org/ns/shacl#"
CONTEXT = "https://w3id.org/ro/crate/1.3/context"


@pytest.fixture(scope="module")
def bag(oxigraph_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive") / "bag"
    main(["--store-path", str(oxigraph_store.path), "archive", str(out)])
    return out


def _results(report: Graph) -> list[tuple[str, str, str]]:
    """Return (severity, path, focus node) of every result of a SHACL report."""
    return sorted((str(report.value(r, URIRef(SH + "resultSeverity"))).rsplit("#", 1)[1],
                   str(report.value(r, URIRef(SH + "resultPath"))),
                   str(report.value(r, URIRef(SH + "focusNode"))))
                  for r in report.subjects(URIRef(SH + "resultSeverity"), None))


@pytest.mark.skipif(not DCAT_AP.is_dir(), reason=f"{DCAT_AP} is absent (../shared is not beside the repo)")
def test_description_conforms_to_the_dcat_ap_3_shapes(bag):
    from pyshacl import validate

    data = Graph().parse(bag / "data" / "description.ttl", format="turtle")
    for name in ("shapes.ttl", "range.ttl"):
        conforms, report, _ = validate(data, shacl_graph=Graph().parse(DCAT_AP / name),
                                       inference="none")
        assert conforms, _results(report)
    _, report, _ = validate(data, shacl_graph=Graph().parse(DCAT_AP / "shapes_recommended.ttl"),
                            inference="none")
    # What the recommended shapes still ask for: a bounding box or centroid per country and an ADMS
    # publisher type for each agent, which the data does not say.
    left = Counter(path.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for _, path, _ in _results(report))
    assert set(left) <= {"bbox", "centroid", "type"}, left


def test_description_distributions_carry_iana_media_types_sizes_checksums_and_urls(bag):
    g = Graph().parse(bag / "data" / "description.ttl", format="turtle")
    rows = {str(r.id): r for r in g.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?id ?media ?size ?sha ?access ?download WHERE {
          ?d a dcat:Distribution ; dcterms:identifier ?id ; dcat:mediaType ?media ;
             dcat:byteSize ?size ; dcat:accessURL ?access ;
             spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sha ] .
          OPTIONAL { ?d dcat:downloadURL ?download } }""")}
    nq = rows["legiongraph.nq"]
    assert str(nq.media) == "https://www.iana.org/assignments/media-types/application/n-quads"
    assert int(nq.size) == (bag / "data" / "legiongraph.nq").stat().st_size
    assert str(nq.download) == "https://w3id.org/legiongraph/download/legiongraph.nq"
    assert str(rows["ontology/shapes.ttl"].media).endswith("/text/turtle")
    dataset = URIRef("https://w3id.org/legiongraph/dataset")
    dcat, dcterms = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
    assert g.value(dataset, URIRef(dcterms + "publisher")) == URIRef(
        "https://w3id.org/legiongraph/id/agent/project")
    assert g.value(dataset, URIRef(dcat + "contactPoint")) is not None
    period = g.value(dataset, URIRef(dcterms + "temporal"))
    assert str(g.value(period, URIRef(dcat + "startDate"))) == "2025-05-17"
    assert URIRef("https://w3id.org/legiongraph/id/country/KP") in set(
        g.objects(dataset, URIRef(dcterms + "spatial")))


def test_prov_record_names_the_command_and_no_local_path(bag):
    text = (bag / "data" / "description.ttl").read_text(encoding="utf-8")
    assert 'rdfs:comment "legiongraph archive"' in text
    assert str(bag) not in text and str(bag.parent) not in text
    assert str(bag) not in (bag / "data" / "README.md").read_text(encoding="utf-8")


def test_bag_declares_bagit_1_0_and_archive_reports_the_count_verify_checks(tmp_path, oxigraph_store,
                                                                             capsys):
    out = tmp_path / "bag"
    main(["--store-path", str(oxigraph_store.path), "archive", str(out)])
    written = capsys.readouterr().out
    main(["archive", "--verify", str(out)])
    verified = capsys.readouterr().out
    payload = sum(1 for p in (out / "data").rglob("*") if p.is_file())
    assert f"({payload} files)" in written
    assert f"; {payload} files;" in verified
    assert (out / "bagit.txt").read_text(encoding="utf-8") == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")


def test_crate_lists_every_payload_file_with_a_description_and_agents_with_iris(bag):
    crate = json.loads((bag / "data" / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    entities = {e["@id"]: e for e in crate["@graph"]}
    payload = {p.relative_to(bag / "data").as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    files = {i for i, e in entities.items() if e.get("@type") == "File"}
    assert files == payload - {"ro-crate-metadata.json"}
    assert {"description.ttl", "README.md"} <= files
    assert all(entities[f].get("description") for f in files)
    root = entities["./"]
    creator = entities[root["creator"]["@id"]]
    assert creator["@id"] == "https://w3id.org/legiongraph/id/agent/developers"
    assert entities[root["publisher"]["@id"]]["name"] == "legiongraph project"
    licence = entities[root["license"]["@id"]]
    assert licence["@id"] == "https://creativecommons.org/licenses/by/4.0/" and licence["name"]
    identifier = entities[root["identifier"]["@id"]]
    assert identifier["@type"] == "PropertyValue"
    assert identifier["value"] == "sha256:" + (bag / "data/legiongraph.nq.sha256").read_text().split()[0]


class _ContextHandler(BaseHTTPRequestHandler):
    """Serve the RO-Crate JSON-LD context that ro-crate-py ships; nothing else."""

    def do_GET(self) -> None:
        if self.path != urlsplit(CONTEXT).path:
            self.send_error(404)
            return
        body = importlib_resources.files("rocrate").joinpath("data/ro-crate.jsonld").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Loopback(requests.adapters.HTTPAdapter):
    """Send requests for w3id.org to the local server; refuse every other host (no network)."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        if parts.hostname != "w3id.org":
            raise requests.ConnectionError(f"no network in tests: {request.url}")
        request.url = f"http://127.0.0.1:{self.port}{parts.path}"
        return super().send(request, **kwargs)


@pytest.fixture
def context_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ContextHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _roc_validate(crate_dir: Path, port: int) -> list[tuple[str, str, str]]:
    """Run roc-validator (profile ro-crate 1.3, up to RECOMMENDED) with the context served locally."""
    from rocrate_validator import services
    from rocrate_validator.models import Severity, ValidationSettings
    from rocrate_validator.utils.http import HttpRequester

    settings = ValidationSettings(rocrate_uri=str(crate_dir), profile_identifier="ro-crate-1.3",
                                  requirement_severity=Severity.RECOMMENDED, no_cache=True)
    # The settings reset the validator's shared HTTP session; route it to loopback afterwards.
    session = HttpRequester().session
    adapter = _Loopback(port)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    result = services.validate(settings)
    issues = [(i.severity.name, i.check.identifier, i.message) for i in result.get_issues()]
    assert result.passed() == (not issues)
    return issues


def test_roc_validator_fails_nothing_required_in_the_default_bag_and_asks_only_for_ror_iris(
        bag, context_server):
    pytest.importorskip("rocrate_validator", reason="roc-validator is not installed")
    from legiongraph.publish.archivedesc import Publication

    crate = json.loads((bag / "data" / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    assert crate["@context"] == CONTEXT  # the profile used is the version the crate declares
    issues = _roc_validate(bag / "data", context_server)
    # The default agents are the project's own w3id.org IRIs: the stable persistent URIs RO-Crate
    # 1.2 asks for when there is no ROR or ORCID (Metadata, Recommended Identifiers). The
    # validator's check "Organization: SHOULD have ROR identifier" asks for a ROR IRI on every
    # Organization, and ROR registers no projects: that is all it reports.
    assert [(severity, check) for severity, check, _ in issues] == [
        ("RECOMMENDED", "ro-crate-1.2_89.0")] * 2
    assert all("SHOULD have a ROR identifier" in message for _, _, message in issues)
    notes = Publication().missing_identifiers()
    assert [note.split(" ", 1)[0] for note in notes] == ["creator_iri", "publisher_iri"]


def _documented_config(tmp_path: Path) -> Path:
    """Write the archive configuration shown in docs/exports.md to a file and return it."""
    text = (DOCS / "exports.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/exports.md shows no TOML configuration"
    path = tmp_path / "archive.toml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def test_roc_validator_finds_no_issue_in_a_bag_made_with_the_documented_orcid_and_ror_config(
        oxigraph_store, context_server, tmp_path):
    pytest.importorskip("rocrate_validator", reason="roc-validator is not installed")
    from legiongraph.config import load_config

    documented = _documented_config(tmp_path)
    config = load_config(documented, env={})
    assert config.creator_iri.startswith("https://orcid.org/")
    assert config.publisher_iri.startswith("https://ror.org/")
    out = tmp_path / "bag"
    main(["--config", str(documented), "--store-path", str(oxigraph_store.path),
          "archive", str(out)])
    crate = json.loads((out / "data" / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    entities = {e["@id"]: e for e in crate["@graph"]}
    assert entities[config.creator_iri]["@type"] == "Person"
    assert entities[config.publisher_iri]["@type"] == "Organization"
    assert _roc_validate(out / "data", context_server) == []


def test_config_refuses_a_creator_iri_that_is_no_http_or_mailto_iri():
    from legiongraph.config import Config
    from legiongraph.errors import ConfigError

    with pytest.raises(ConfigError, match="creator_iri: expected an http\\(s\\) or mailto: IRI, got 'ror:1'"):
        Config(creator_iri="ror:1")
    assert Config(contact_url="mailto:data@example.org").contact_url == "mailto:data@example.org"


def test_config_refuses_an_orcid_or_ror_iri_whose_check_digits_fail():
    from legiongraph.config import Config
    from legiongraph.errors import ConfigError

    # These two were once this file's stand-ins for "an organisation with a ROR": made up, and
    # their check digits say so.
    for made_up in ("https://ror.org/000000001", "https://ror.org/000000002"):
        with pytest.raises(ConfigError, match=re.escape(f"publisher_iri: '{made_up}' is no valid ROR ID")):
            Config(publisher_iri=made_up)
    with pytest.raises(ConfigError, match=r"creator_iri: '\S+' is no valid ORCID iD"):
        Config(creator_iri="https://orcid.org/0000-0002-1825-0098")
    # the examples of the RO-Crate specification, real identifiers both
    config = Config(creator_iri="https://orcid.org/0000-0002-1825-0097",
                    publisher_iri="https://ror.org/03f0f6041")
    assert config.publisher_iri == "https://ror.org/03f0f6041"


def test_archive_names_the_configured_publisher_in_description_crate_and_readme(tmp_path, oxigraph_store):
    from legiongraph import Resources
    from legiongraph.config import Config
    from legiongraph.publish.archive import make_archive
    from legiongraph.publish.archivedesc import Publication

    config = Config(publisher_name="University of Technology Sydney",
                    publisher_iri="https://ror.org/03f0f6041", contact_url="mailto:data@example.org")
    out = tmp_path / "bag"
    make_archive(oxigraph_store, Resources(), out, "legiongraph archive",
                 publication=Publication.from_config(config))
    # the creator is still the default, which is neither an ORCID iD nor a ROR IRI
    notes = Publication.from_config(config).missing_identifiers()
    assert len(notes) == 1 and "creator_iri https://w3id.org/legiongraph/id/agent/developers" in notes[0]
    assert "Source-Organization: University of Technology Sydney" in (out / "bag-info.txt").read_text()
    description = Graph().parse(out / "data" / "description.ttl", format="turtle")
    dataset = URIRef("https://w3id.org/legiongraph/dataset")
    publisher = description.value(dataset, URIRef("http://purl.org/dc/terms/publisher"))
    assert publisher == URIRef("https://ror.org/03f0f6041")
    contact = description.value(dataset, URIRef("http://www.w3.org/ns/dcat#contactPoint"))
    assert description.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:data@example.org")
    crate = json.loads((out / "data" / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    entities = {e["@id"]: e for e in crate["@graph"]}
    assert entities["https://ror.org/03f0f6041"]["name"] == "University of Technology Sydney"
    assert entities["https://ror.org/03f0f6041"]["@type"] == "Organization"
    assert entities["#contact"]["email"] == "data@example.org"
    assert "University of Technology Sydney (https://ror.org/03f0f6041)" in (
        out / "data" / "README.md").read_text()


def test_archive_notes_agents_without_orcid_or_ror_on_stderr_even_in_a_pipe(oxigraph_store, tmp_path,
                                                                          capsys):
    """Regression: the note went through the progress lines, so a pipe or CI never saw it."""
    main(["--store-path", str(oxigraph_store.path), "archive", str(tmp_path / "bag")])
    captured = capsys.readouterr()
    notes = captured.err.splitlines()
    assert [line.split(" ", 2)[:2] for line in notes] == [["note:", "creator_iri"],
                                                          ["note:", "publisher_iri"]]
    assert all("RO-Crate recommends one" in line for line in notes)
    assert "note:" not in captured.out
    documented = _documented_config(tmp_path)
    main(["--config", str(documented), "--store-path", str(oxigraph_store.path),
          "archive", str(tmp_path / "bag2")])
    assert capsys.readouterr().err == ""
