"""Turn the benchmark's measurements into ratios, a Markdown report and a JSON file."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from legiongraph.fsutil import atomic_write_bytes

# The targets on 2 cores (issue #18): ratios to peers measured in the same run.
TARGETS = {"build_s": 60.0, "build_peak_mb": 4096.0, "ingest_s": 2.0, "serving_mb": 500.0,
           "endpoint_vs_raw": 2.0, "endpoint_slack_ms": 5.0, "peer_speedup": 50.0,
           "peer_heavy_ms": 100.0, "oxserver_median": 1.15, "oxserver_each": 1.5,
           "oxserver_slack_ms": 2.0, "build_vs_raw_load": 2.0, "disk_vs_raw_load": 2.0}


def _p50(entry: dict | None) -> float | None:
    return entry.get("p50_ms") if entry else None


def query_rows(size: dict) -> list[dict]:
    """Return one row per query: endpoint, raw and peer p50/p95 and their ratios."""
    rows = []
    peer = size.get("peer", {}).get("queries", {})
    cap_ms = size.get("peer", {}).get("cap_s", 0) * 1000
    for name, ep in size["endpoint"]["queries"].items():
        raw = size["raw"].get(name, {})
        row = {"query": name, "endpoint_p50_ms": _p50(ep), "endpoint_p95_ms": ep.get("p95_ms"),
               "raw_p50_ms": _p50(raw), "raw_p95_ms": raw.get("p95_ms"),
               "gate_p50_ms": _p50(size.get("gate", {}).get(name)),
               "endpoint_error": ep.get("error"), "raw_error": raw.get("error"),
               "endpoint_capped": bool(ep.get("capped")), "raw_capped": bool(raw.get("capped"))}
        if row["endpoint_p50_ms"] is not None and row["raw_p50_ms"] is not None:
            row["endpoint_over_raw"] = row["endpoint_p50_ms"] / row["raw_p50_ms"]
            limit = TARGETS["endpoint_vs_raw"] * row["raw_p50_ms"] + TARGETS["endpoint_slack_ms"]
            row["meets_endpoint_target"] = row["endpoint_p50_ms"] <= limit
        ox = size.get("oxigraph_server", {}).get("queries", {}).get(name)
        row["oxserver_p50_ms"] = _p50(ox)
        if row["endpoint_p50_ms"] is not None and row["oxserver_p50_ms"]:
            row["endpoint_over_oxserver"] = row["endpoint_p50_ms"] / row["oxserver_p50_ms"]
            row["meets_oxserver_target"] = row["endpoint_p50_ms"] <= (
                TARGETS["oxserver_each"] * row["oxserver_p50_ms"] + TARGETS["oxserver_slack_ms"])
        p = peer.get(name)
        if p is not None:
            row["peer_p50_ms"] = _p50(p)
            row["peer_capped"] = bool(p.get("capped"))
            row["peer_note"] = p.get("skipped") or p.get("error")
            peer_ms = cap_ms if row["peer_capped"] else row["peer_p50_ms"]
            if peer_ms is not None and row["endpoint_p50_ms"]:
                row["peer_over_endpoint"] = peer_ms / row["endpoint_p50_ms"]
                row["peer_ratio_is_lower_bound"] = row["peer_capped"]
        rows.append(row)
    return rows


def summarize(size: dict) -> dict:
    """Return the headline figures and ratios of one size."""
    rows = query_rows(size)
    build = size["build"]
    out = {"size": size["size"], "triples": build["triples"], "build_s": build["seconds"]["total"],
           "steps_s": build["seconds"], "build_peak_mb": build["peak_rss_mb"],
           # PSS: forked workers share pages, which a sum of RSS counts once per worker.
           "serving_mb": size["endpoint"]["memory_serving"].get("pss_mb"),
           "serving_rss_mb": size["endpoint"]["memory_serving"]["rss_mb"],
           "serving_peak_mb": size["endpoint"]["memory_serving"]["peak_rss_mb"]}
    ep = [r["endpoint_p50_ms"] for r in rows if r["endpoint_p50_ms"] is not None]
    raw = [r["raw_p50_ms"] for r in rows if r["raw_p50_ms"] is not None]
    out["endpoint_median_p50_ms"] = statistics.median(ep) if ep else None
    out["raw_median_p50_ms"] = statistics.median(raw) if raw else None
    over = [r["endpoint_over_raw"] for r in rows if "endpoint_over_raw" in r]
    out["endpoint_over_raw_median"] = statistics.median(over) if over else None
    gate = [r["gate_p50_ms"] for r in rows if r["gate_p50_ms"] is not None]
    out["gate_median_p50_ms"] = statistics.median(gate) if gate else None
    out["endpoint_errors"] = sum(1 for r in rows if r["endpoint_error"])
    out["capped"] = {"endpoint": sum(r["endpoint_capped"] for r in rows),
                     "raw": sum(r["raw_capped"] for r in rows)}
    out["queries_meeting_endpoint_target"] = sum(1 for r in rows if r.get("meets_endpoint_target"))
    out["queries"] = len(rows)
    speed = [r["peer_over_endpoint"] for r in rows if "peer_over_endpoint" in r]
    if speed:
        # a median over a few queries says little: only report it when most queries ran
        out["peer_compared"] = len(speed)
        out["peer_over_endpoint_median_of_compared"] = statistics.median(speed)
        out["peer_over_endpoint_median"] = statistics.median(speed) if len(speed) * 2 >= len(rows) else None
        out["peer_capped"] = sum(1 for r in rows if r.get("peer_capped"))
        out["peer_not_run"] = sum(1 for r in rows if r.get("peer_note") and not r.get("peer_capped"))
        out["peer_startup_s"] = size["peer"]["startup_s"][0] if size["peer"]["startup_s"] else None
        heavy = [r["peer_over_endpoint"] for r in rows if "peer_over_endpoint" in r and
                 (r.get("peer_capped") or (r.get("peer_p50_ms") or 0) >= TARGETS["peer_heavy_ms"])]
        out["peer_heavy_queries"] = len(heavy)
        out["peer_over_endpoint_median_heavy"] = statistics.median(heavy) if heavy else None
    oxs = [r["endpoint_over_oxserver"] for r in rows if "endpoint_over_oxserver" in r]
    out["endpoint_over_oxserver_median"] = statistics.median(oxs) if oxs else None
    out["queries_meeting_oxserver_target"] = sum(1 for r in rows if r.get("meets_oxserver_target"))
    out["oxserver_compared"] = len(oxs)
    raw_load = build.get("raw_load") or {}
    out["raw_load_s"] = raw_load.get("seconds")
    out["build_over_raw_load"] = (build["seconds"]["total"] / raw_load["seconds"]
                                  if raw_load.get("seconds") else None)
    out["disk_over_raw_load"] = (build["disk_mb"] / raw_load["disk_mb"]
                                 if raw_load.get("disk_mb") and build.get("disk_mb") else None)
    out["serving_per_process"] = size["endpoint"]["memory_serving"].get("per_process", [])
    out["oxserver_serving_mb"] = size.get("oxigraph_server", {}).get("memory_serving", {}).get("pss_mb")
    ingest = size.get("ingest", {})
    out["search_index_s"] = size["endpoint"].get("settle_s")
    out["ingest_s"] = ingest.get("seconds")
    out["ingest_note"] = ingest.get("error")
    return out


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _peer_median(s: dict) -> str:
    if "peer_compared" not in s:
        return "not run"
    if s["peer_over_endpoint_median"] is None:
        return (f"{_fmt(s['peer_over_endpoint_median_of_compared'])}x over only {s['peer_compared']} of "
                f"{s['queries']} queries (lower bound)")
    return _fmt(s["peer_over_endpoint_median"]) + "x" + (" (lower bound)" if s.get("peer_capped") else "")


def markdown(meta: dict, sizes: list[dict], summaries: list[dict]) -> str:
    """Return the results as Markdown: a summary across sizes, then one query table per size."""
    head = "| | " + " | ".join(f"{s['size']:,}" for s in summaries) + " |"
    dates = ", ".join(f"{s['size']:,} on {s['measured']}" for s in sizes if "measured" in s)
    lines = [f"Written {meta['started']} on {meta['cpus']} cores, Python {meta['python']}, "
             f"pyoxigraph {meta['pyoxigraph']}; {meta['queries']} named queries, timed after a "
             "warm-up (federated queries left out: "
             f"{', '.join(meta.get('excluded_federated_queries', [])) or 'none'}). "
             f"Sizes measured: {dates or 'see below'}; sizes from an earlier run are kept (`--no-merge` "
             f"drops them). Reproduce: `{meta['command']}`.", "",
             head, "|---" * (len(summaries) + 1) + "|"]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("triples in the store (asserted + inferred)", [f"{s['triples']:,}" for s in summaries])
    for step in ("load", "reason", "validate", "write", "total"):
        row(f"build: {step} (s)", [_fmt(s["steps_s"][step]) for s in summaries])
    row("build: peak memory (MB)", [_fmt(s["build_peak_mb"], 0) for s in summaries])
    row("raw pyoxigraph bulk_load of the same files (s)", [_fmt(s.get("raw_load_s")) for s in summaries])
    row("build / raw bulk_load: time, disk", [f"{_fmt(s.get('build_over_raw_load'))}x, "
                                              f"{_fmt(s.get('disk_over_raw_load'))}x" for s in summaries])
    row("endpoint: median of per-query p50 (ms)", [_fmt(s["endpoint_median_p50_ms"]) for s in summaries])
    row("query gate: reading a query not seen before, median (ms)",
        [_fmt(s["gate_median_p50_ms"]) for s in summaries])
    row("raw pyoxigraph: median of per-query p50 (ms)", [_fmt(s["raw_median_p50_ms"]) for s in summaries])
    row("queries the endpoint refused or failed", [str(s["endpoint_errors"]) for s in summaries])
    row("queries past the cap: endpoint / raw", [f"{s['capped']['endpoint']} / {s['capped']['raw']}"
                                                 for s in summaries])
    row("endpoint / raw, median over queries", [_fmt(s["endpoint_over_raw_median"]) + "x" for s in summaries])
    row("queries with endpoint p50 <= 2 x raw + 5 ms",
        [f"{s['queries_meeting_endpoint_target']} of {s['queries']}" for s in summaries])
    row("endpoint / Oxigraph's own server, median over queries",
        [_fmt(s.get("endpoint_over_oxserver_median"), 2) + "x" for s in summaries])
    row("queries with endpoint p50 <= 1.5 x Oxigraph server + 2 ms",
        [f"{s.get('queries_meeting_oxserver_target', 0)} of {s.get('oxserver_compared', 0)}"
         for s in summaries])
    row("rdflib-endpoint / endpoint, median over queries", [_peer_median(s) for s in summaries])
    row("rdflib-endpoint / endpoint, median over queries taking it >= 100 ms",
        [f"{_fmt(s.get('peer_over_endpoint_median_heavy'))}x over {s.get('peer_heavy_queries', 0)}"
         for s in summaries])
    row("rdflib-endpoint: queries past the cap / not run",
        [f"{s.get('peer_capped', 0)} / {s.get('peer_not_run', 0)}" if "peer_compared" in s
         else "not run" for s in summaries])
    row("rdflib-endpoint: start-up, parsing the quads (s)",
        [_fmt(s.get("peer_startup_s")) for s in summaries])
    row("add a 100-triple source with ingest (s)",
        [_fmt(s["ingest_s"], 2) if s["ingest_s"] is not None else "failed" for s in summaries])
    row("endpoint's first start: search index written before timing (s)",
        [_fmt(s.get("search_index_s")) for s in summaries])
    row("server memory while serving, all processes, PSS (MB)",
        [_fmt(s["serving_mb"], 0) for s in summaries])
    row("the same as a sum of RSS, shared pages counted per process (MB)",
        [_fmt(s.get("serving_rss_mb"), 0) for s in summaries])
    row("Oxigraph's server memory while serving, PSS (MB)",
        [_fmt(s.get("oxserver_serving_mb"), 0) for s in summaries])
    for s in summaries:
        if s["serving_per_process"]:
            lines.append("")
            lines.append(f"Where the serving memory goes at {s['size']:,} triples: " + "; ".join(
                f"{e['command'].split('/')[-1][:60]} {_fmt(e.get('pss_mb'), 0)} MB PSS "
                f"({_fmt(e['rss_mb'], 0)} MB RSS)"
                for e in s["serving_per_process"]))
    for size in sizes:
        runs = (f", up to {size['repeats']} timed runs" if "repeats" in size else "") + (
            f", measured {size['measured']}" if "measured" in size else "")
        lines += ["", f"### {size['size']:,} triples: per query (p50 / p95 ms{runs})", "",
                  "| query | endpoint | raw pyoxigraph | endpoint/raw | Oxigraph server | endpoint/server "
                  "| gate parse | rdflib-endpoint | rdflib/endpoint |", "|---" * 9 + "|"]
        cap = size.get("peer", {}).get("cap_s")
        for r in query_rows(size):
            peer = ("n/a" if "peer_p50_ms" not in r and not r.get("peer_capped") else
                    f"> {cap:g} s" if r.get("peer_capped") else
                    (r.get("peer_note") or "n/a")[:40] if r.get("peer_p50_ms") is None else
                    _fmt(r["peer_p50_ms"]))
            ratio = "n/a" if "peer_over_endpoint" not in r else (
                (">" if r["peer_ratio_is_lower_bound"] else "") + _fmt(r["peer_over_endpoint"], 0) + "x")
            endpoint = r["endpoint_error"][:40] if r["endpoint_error"] else "> cap" if r["endpoint_capped"] \
                else f"{_fmt(r['endpoint_p50_ms'])} / {_fmt(r['endpoint_p95_ms'])}"
            raw = "> cap" if r["raw_capped"] else f"{_fmt(r['raw_p50_ms'])} / {_fmt(r['raw_p95_ms'])}"
            lines.append(f"| {r['query']} | {endpoint} | "
                         f"{raw} | "
                         f"{_fmt(r.get('endpoint_over_raw'))}x | {_fmt(r.get('oxserver_p50_ms'))} | "
                         f"{_fmt(r.get('endpoint_over_oxserver'), 2)}x | {_fmt(r['gate_p50_ms'])} | "
                         f"{peer} | {ratio} |")
    return "\n".join(lines) + "\n"


def ratios_text(summaries: list[dict]) -> str:
    """Return the ratios measured in this run, one line per size."""
    lines = []
    for s in summaries:
        peer = s.get("peer_over_endpoint_median")
        lines.append(
            f"{s['size']:>9,} triples: endpoint/raw pyoxigraph median {_fmt(s['endpoint_over_raw_median'])}x "
            f"({s['queries_meeting_endpoint_target']}/{s['queries']} within 2x+5 ms); "
            + (f"rdflib-endpoint/endpoint median {_fmt(peer)}x" if peer is not None
               else f"rdflib-endpoint compared on {s.get('peer_compared', 0)} queries only")
            + f"; build {_fmt(s['build_s'])} s of which validation {_fmt(s['steps_s']['validate'])} s")
    return "\n".join(lines)


def write_results(folder: Path, meta: dict, sizes: list[dict]) -> str:
    """Write results.json and results.md atomically; return the ratios as text."""
    summaries = [summarize(s) for s in sizes]
    data = {"meta": meta, "targets_at_1M": TARGETS, "summary": summaries, "sizes": sizes}
    atomic_write_bytes(folder / "results.json", json.dumps(data, indent=2).encode())
    atomic_write_bytes(folder / "results.md", markdown(meta, sizes, summaries).encode())
    return ratios_text(summaries)
