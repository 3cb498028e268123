"""Allow-listed SERVICE calls for query workers that have no network: relayed by the server.

A query worker's kernel filter refuses it every IP socket, so Oxigraph's own SERVICE client cannot
run there. Instead the worker cuts each SERVICE clause out of the query (:func:`rewrite_services`),
asks the server process for its solutions over the worker's pipe, and puts them back as a
``VALUES`` block: what Oxigraph itself does, since it sends a SERVICE pattern as it is, without the
rows found so far. The server process (:func:`fetch_service`) checks the endpoint against the
allow-list again, exactly, before it connects: the destination is checked outside the worker,
whatever the worker asks for.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Mapping

from ..errors import QueryError, ServiceRefused
from .sparqllex import Token, declared_prefixes, tokens

__all__ = ["fetch_service", "rewrite_services"]

_RESULTS_JSON = "application/sparql-results+json"
#: the largest answer the server relays from one SERVICE call
MAX_SERVICE_BYTES = 16 * 1024 * 1024


def fetch_service(endpoint: str, query: str, allowlist: Collection[str], timeout: float) -> bytes:
    """Send a query to an allow-listed endpoint; return its SPARQL JSON answer.

    Raise ServiceRefused for an endpoint not exactly on the allow-list (nothing is sent), and
    QueryError when the endpoint fails or its answer is too large.
    """
    if endpoint not in allowlist:
        raise ServiceRefused(f"SERVICE <{endpoint}> is refused: not on the allow-list")
    request = urllib.request.Request(endpoint, data=query.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": _RESULTS_JSON,
                                              "User-Agent": "legiongraph"})
    try:
        with urllib.request.urlopen(request, timeout=max(timeout, 0.1)) as response:
            body = response.read(MAX_SERVICE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise QueryError(f"SERVICE <{endpoint}> failed: {exc}") from None
    if len(body) > MAX_SERVICE_BYTES:
        raise QueryError(f"SERVICE <{endpoint}> answered more than {MAX_SERVICE_BYTES} bytes")
    return body


def _term(value: Mapping[str, str]) -> str:
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return f"<{text}>"
    if kind in ("literal", "typed-literal"):
        escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        if "xml:lang" in value:
            return f'"{escaped}"@{value["xml:lang"]}'
        if "datatype" in value:
            return f'"{escaped}"^^<{value["datatype"]}>'
        return f'"{escaped}"'
    return "UNDEF"  # a blank node cannot be named in a query: left unbound


def _values(body: bytes, endpoint: str) -> str:
    try:
        doc = json.loads(body)
        names = [str(v) for v in doc["head"]["vars"]]
        rows = doc["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise QueryError(f"SERVICE <{endpoint}> did not answer in SPARQL JSON") from None
    if not names:
        return "{ }"
    head = " ".join(f"?{n}" for n in names)
    lines = " ".join("(" + " ".join(_term(row[n]) if n in row else "UNDEF" for n in names) + ")"
                     for row in rows)
    return f"{{ VALUES ({head}) {{ {lines} }} }}"


def _endpoint(token: Token, prefixes: Mapping[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def rewrite_services(text: str, known_prefixes: Mapping[str, str],
                     fetch: Callable[[str, str], bytes]) -> str:
    """Replace each SERVICE clause of a query by a VALUES block of its solutions from ``fetch``.

    ``fetch(endpoint, query)`` returns SPARQL JSON; a SERVICE SILENT whose call fails becomes an
    empty group. Raise QueryError for a SERVICE whose endpoint is not a plain IRI.
    """
    found = tokens(text)
    items = found.items
    prefixes = {**known_prefixes, **declared_prefixes(found)}
    # The prologue (BASE and PREFIX lines) goes with each sub-query, so its names mean the same.
    i = 0
    while i < len(items) and items[i].kind == "word" and items[i].text.upper() in ("BASE", "PREFIX"):
        i += 2 if items[i].text.upper() == "BASE" else 3
    prologue_end = items[i].start if i < len(items) else len(text)
    used = {t.text.partition(":")[0] for t in items if t.kind == "pname"}
    declared = declared_prefixes(found)
    extra = "".join(f"PREFIX {n}: <{known_prefixes[n]}> " for n in sorted(used)
                    if n in known_prefixes and n not in declared)
    prologue = extra + text[:prologue_end]
    out: list[str] = []
    last, i = 0, 0
    while i < len(items):
        token = items[i]
        if not (token.kind == "word" and token.text.upper() == "SERVICE"):
            i += 1
            continue
        j = i + 1
        silent = items[j].kind == "word" and items[j].text.upper() == "SILENT"
        j += silent
        endpoint = _endpoint(items[j], prefixes)
        if endpoint is None or items[j + 1].text != "{":
            raise QueryError(f"SERVICE at {found.where(token)} must name its endpoint by IRI")
        depth, k = 0, j + 1
        while k < len(items):
            if items[k].kind == "other" and items[k].text == "{":
                depth += 1
            elif items[k].kind == "other" and items[k].text == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        group_start, group_end = items[j + 1].start, items[k].start + 1
        sub = f"{prologue}SELECT * WHERE {text[group_start:group_end]}"
        try:
            block = _values(fetch(endpoint, sub), endpoint)
        except ServiceRefused:
            raise  # SILENT hides a failing endpoint, never a refusal
        except QueryError:
            if not silent:
                raise
            block = "{ }"
        out.append(text[last:token.start])
        out.append(block)
        last = group_end
        i = k + 1
    out.append(text[last:])
    return "".join(out)
