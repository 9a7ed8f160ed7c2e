"""The run report: ``<lake>/reports/<run_id>.html``, one self-contained page with inline SVG charts.

The page needs nothing but a browser: no JavaScript, no CDN, no remote fonts or images (a Content-Security-Policy
forbids them), so it opens offline and from an archived lake. Every string that comes from data (reasons, source
URIs, stage names) is HTML-escaped: source paths are chosen by whoever supplied the corpus.

Charts: outcomes of the dataset's runs over time, this run's reasons, a score histogram per stage and score name
(from ``scores``), timings per stage, and the top sources. Figures are read from the lake's Parquet with DuckDB.
"""

from __future__ import annotations

import html
import json
import os
import uuid
from pathlib import Path
from typing import Any

from tasks import duck, provenance
from tasks.catalog import sql_list
from tasks.lake import Lake

OUTCOME_COLORS = {"clean": "#2e7d32", "quarantined": "#c62828", "duplicate": "#6d6d6d", "dropped": "#ef6c00"}
BAR = "#1565c0"
HIST_BINS = 20
MAX_RUNS = 30
MAX_BARS = 25
MAX_HISTOGRAMS = 24
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def bar_chart(items: list[tuple[str, float]], unit: str = "", width: int = 720) -> str:
    """Horizontal bars, one per ``(label, value)``, with the value printed after each bar."""
    if not items:
        return '<p class="none">none</p>'
    row, label_w = 22, 260
    top = max(v for _, v in items) or 1
    height = row * len(items) + 6
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value) in enumerate(items):
        y = 3 + i * row
        w = max(1.0, (width - label_w - 90) * value / top)
        shown = f"{value:,.3f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(label[:40])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"><title>{_e(label)}: '
            f"{_e(shown)}{_e(unit)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{_e(shown)}{_e(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_runs(runs: list[dict[str, Any]], current: str, width: int = 720) -> str:
    """One stacked bar per run (oldest at the top): records per outcome; the current run is marked."""
    if not runs:
        return '<p class="none">no completed runs</p>'
    row, label_w = 22, 230
    top = max(sum(r["outcomes"].values()) for r in runs) or 1
    height = row * len(runs) + 30
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, r in enumerate(runs):
        y = 3 + i * row
        mark = " ◀" if r["run_id"] == current else ""
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(r["run_id"])}{mark}</text>')
        x = float(label_w)
        for outcome, color in OUTCOME_COLORS.items():
            n = r["outcomes"].get(outcome, 0)
            if not n:
                continue
            w = (width - label_w - 70) * n / top
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 6}" fill="{color}">'
                f"<title>{_e(r['run_id'])} {outcome}: {n:,}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{sum(r["outcomes"].values()):,}</text>')
    legend_y = height - 8
    for j, (outcome, color) in enumerate(OUTCOME_COLORS.items()):
        lx = label_w + j * 120
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 10}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{legend_y}">{outcome}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(counts: list[int], lo: float, hi: float, width: int = 340, height: int = 120) -> str:
    """Vertical bars of ``counts`` over ``HIST_BINS`` equal bins of ``[lo, hi]``, with the axis ends labelled."""
    top = max(counts) or 1
    bw = (width - 20) / len(counts)
    plot_h = height - 30
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, n in enumerate(counts):
        h = plot_h * n / top
        a = lo + (hi - lo) * i / len(counts)
        b = lo + (hi - lo) * (i + 1) / len(counts)
        parts.append(
            f'<rect x="{10 + i * bw:.1f}" y="{5 + plot_h - h:.1f}" width="{max(bw - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>[{a:.4g}, {b:.4g}): {n:,}</title></rect>'
        )
    parts.append(
        f'<line x1="10" y1="{5 + plot_h}" x2="{width - 10}" y2="{5 + plot_h}" stroke="#999"/>'
        f'<text x="10" y="{height - 8}">{lo:.4g}</text>'
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end">{hi:.4g}</text></svg>'
    )
    return "".join(parts)


def _files(lake: Lake, table: str, run_ids: list[str]) -> list[str]:
    return [str(f) for r in run_ids for f in sorted(lake.provenance_dir(table, r).glob("*.parquet"))]


def _runs(lake: Lake, dataset: str) -> list[dict[str, Any]]:
    """Completed runs of ``dataset`` (latest ``MAX_RUNS``) with their outcome and reason counts."""
    history = [r for r in provenance.run_history(lake, dataset) if r["status"] == "completed"][-MAX_RUNS:]
    files = _files(lake, "runs", [r["run_id"] for r in history])
    if not files:
        return []
    con = duck.connect()
    try:
        rows = con.execute(
            f"SELECT run_id, counts_json FROM read_parquet({sql_list(files)}, union_by_name=true)"
        ).fetchall()
    finally:
        con.close()
    counts = {run_id: json.loads(c or "{}") for run_id, c in rows}
    return [
        {"run_id": r["run_id"], "outcomes": counts.get(r["run_id"], {}).get("outcomes", {}),
         "reasons": counts.get(r["run_id"], {}).get("reasons", {})}
        for r in history
    ]


def score_histograms(lake: Lake, run_id: str) -> list[dict[str, Any]]:
    """Per ``(stage, name)`` of the run's scores: count, range and ``HIST_BINS`` bin counts (DuckDB, bounded)."""
    files = _files(lake, "scores", [run_id])
    if not files:
        return []
    con = duck.connect()
    try:
        con.execute(f"CREATE VIEW s AS SELECT stage, name, value FROM read_parquet({sql_list(files)}) "
                    "WHERE value IS NOT NULL AND isfinite(value)")
        series = con.execute(
            "SELECT stage, name, count(*), min(value), max(value) FROM s GROUP BY 1, 2 ORDER BY 1, 2 "
            f"LIMIT {MAX_HISTOGRAMS}"
        ).fetchall()
        out = []
        for stage, name, n, lo, hi in series:
            span = (hi - lo) or 1.0
            bins = dict(con.execute(
                f"SELECT least(CAST(floor((value - ?) / ? * {HIST_BINS}) AS INTEGER), {HIST_BINS - 1}) AS b, "
                "count(*) FROM s WHERE stage = ? AND name = ? GROUP BY 1",
                [lo, span, stage, name],
            ).fetchall())
            out.append({"stage": stage, "name": name, "n": n, "lo": lo, "hi": lo + span if hi == lo else hi,
                        "counts": [bins.get(i, 0) for i in range(HIST_BINS)]})
        return out
    finally:
        con.close()


def _sources(lake: Lake, run_id: str) -> list[dict[str, Any]]:
    files = _files(lake, "sources", [run_id])
    if not files:
        return []
    con = duck.connect()
    try:
        cur = con.execute(
            f"SELECT * FROM read_parquet({sql_list(files)}, union_by_name=true) ORDER BY records DESC, source_uri"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
svg text{font:12px system-ui,sans-serif;fill:#222}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}td:nth-child(n+2){text-align:right}
.grid{display:flex;flex-wrap:wrap;gap:16px}.hist{border:1px solid #eee;padding:6px}.none{color:#888}
.kv td:nth-child(2){text-align:left}"""


def render(lake: Lake, dataset: str, run_id: str, stage_seconds: dict[str, float] | None = None) -> str:
    """The report page of run ``run_id`` of ``dataset`` as an HTML string."""
    runs = _runs(lake, dataset)
    this = next((r for r in runs if r["run_id"] == run_id), {"outcomes": {}, "reasons": {}})
    sources = _sources(lake, run_id)
    read = [s for s in sources if not s.get("unchanged_since")]
    unchanged = len(sources) - len(read)
    outcomes = this["outcomes"]
    reasons = sorted(this["reasons"].items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_BARS]
    timings = sorted((stage_seconds or {}).items(), key=lambda kv: -kv[1])
    hists = score_histograms(lake, run_id)
    hist_html = "".join(
        f'<div class="hist"><b>{_e(h["stage"])} · {_e(h["name"])}</b> ({h["n"]:,} records)<br>'
        f'{histogram(h["counts"], h["lo"], h["hi"])}</div>'
        for h in hists
    ) or '<p class="none">no scores in this run</p>'
    summary = [
        ["dataset", dataset], ["run", run_id], ["records", sum(outcomes.values())],
        *[[k, outcomes.get(k, 0)] for k in OUTCOME_COLORS],
        ["sources read", len(read)], ["sources unchanged (incremental)", unchanged],
    ]
    body = [
        f"<h1>Sieve run {_e(run_id)}</h1>",
        '<table class="kv">' + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in summary)
        + "</table>",
        f"<h2>Outcomes over the runs of {_e(dataset)}</h2>", stacked_runs(runs, run_id),
        "<h2>Reasons (records per reason)</h2>", bar_chart(reasons),
        "<h2>Score histograms per stage</h2>", f'<div class="grid">{hist_html}</div>',
        "<h2>Time per stage</h2>", bar_chart(timings, " s"),
        "<h2>Top sources</h2>",
        _table(["source", "records", "sha256", "integrity"],
               [[s["source_uri"], s.get("records") or 0, (s.get("sha256") or "")[:16], s.get("integrity")]
                for s in read[:MAX_BARS]]),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>Sieve run {_e(run_id)} ({_e(dataset)})</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def report_path(lake: Lake, run_id: str) -> Path:
    """``<lake>/reports/<run_id>.html``."""
    return lake.root / "reports" / f"{run_id}.html"


def write_report(lake: Lake, dataset: str, run_id: str, stage_seconds: dict[str, float] | None = None) -> Path:
    """Render the run's report and write it atomically to ``report_path``; return the path."""
    path = report_path(lake, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(render(lake, dataset, run_id, stage_seconds), encoding="utf-8")
    os.replace(tmp, path)
    return path
