"""DIR/report.html: one self-contained page of inline SVG charts (no script, no CDN).

hit@k curves per kind, per-kind bars of the answer figures, and the refusal trade-off (share
of unanswerable questions refused against share of answerable ones refused, as the gate's
similarity floor moves).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from eval.retrieval_metrics import KS

W, H = 460, 300
L, R, T, B = 50, 130, 30, 40  # margins: the legend sits on the right
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _x(v: float, lo: float, hi: float) -> float:
    return L + (v - lo) / (hi - lo or 1) * (W - L - R)


def _y(v: float) -> float:
    return H - B - v * (H - T - B)


def _frame(title: str, xlabel: str, body: list[str], legend: Sequence[str]) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-size="11">']
    parts.append(f'<text x="{W / 2 - 60}" y="16" font-size="13">{html.escape(title)}</text>')
    for i in range(6):  # y grid: 0 … 100 %
        y = _y(i / 5)
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{L - 34}" y="{y + 4}">{20 * i}%</text>')
    parts.append(f'<text x="{(L + W - R) / 2 - 30}" y="{H - 6}">{html.escape(xlabel)}</text>')
    parts += body
    for i, name in enumerate(legend):
        y = T + 14 * i
        c = COLORS[i % len(COLORS)]
        parts.append(f'<rect x="{W - R + 10}" y="{y - 8}" width="10" height="10" fill="{c}"/>')
        parts.append(f'<text x="{W - R + 24}" y="{y + 1}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hit_curve(retrieval: dict[str, Any]) -> str:
    series = [("all", retrieval), *retrieval.get("by_kind", {}).items()]
    body: list[str] = []
    for k in KS:
        x = _x(k, KS[0], KS[-1])
        body.append(f'<text x="{x - 4}" y="{H - B + 14}">{k}</text>')
    for i, (_, block) in enumerate(series):
        pts = [(_x(k, KS[0], KS[-1]), _y(block.get(f"hit@{k}") or 0.0)) for k in KS]
        c = COLORS[i % len(COLORS)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        body.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{c}"/>' for x, y in pts]
    return _frame("Retrieval hit@k", "k", body, [name for name, _ in series])


BAR_FIGURES = (
    ("hit@5", "retrieval hit@5"),
    ("refusal", "refused (unanswerable) / false refusals"),
    ("hallucination_rate", "hallucination rate"),
    ("answer_point_coverage", "answer-point coverage"),
    ("answer_point_coverage_lexical", "answer-point coverage (lexical)"),
    ("citation_precision", "citation precision"),
)


def kind_bars(retrieval: dict[str, Any] | None, answers: dict[str, Any] | None) -> str:
    kinds = sorted(
        set((retrieval or {}).get("by_kind", {})) | set((answers or {}).get("by_kind", {}))
    )
    figures: list[tuple[str, str]] = []
    for key, label in BAR_FIGURES:
        if (
            key == "hit@5"
            and retrieval
            or key == "refusal"
            and answers
            or answers
            and key in answers
        ):
            figures.append((key, label))
    body: list[str] = []
    group = (W - L - R) / max(len(kinds), 1)
    bar = group * 0.8 / max(len(figures), 1)
    for gi, kind in enumerate(kinds):
        x0 = L + gi * group + group * 0.1
        body.append(f'<text x="{x0}" y="{H - B + 14}">{html.escape(kind)}</text>')
        r = (retrieval or {}).get("by_kind", {}).get(kind, {})
        a = (answers or {}).get("by_kind", {}).get(kind, {})
        for fi, (key, _) in enumerate(figures):
            if key == "hit@5":
                v = r.get("hit@5")
            elif key == "refusal":
                v = a.get("refusal_rate_unanswerable")
                v = a.get("false_refusal_rate") if v is None else v
            else:
                v = a.get(key)
            if v is None:
                continue
            x, y = x0 + fi * bar, _y(v)
            c = COLORS[fi % len(COLORS)]
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" height="{_y(0) - y:.1f}" '
                f'fill="{c}"><title>{html.escape(kind)} {key}: {100 * v:.1f}%</title></rect>'
            )
    return _frame("By kind", "kind", body, [label for _, label in figures])


def tradeoff(answers: dict[str, Any]) -> str:
    pts = answers.get("refusal_tradeoff") or []
    body: list[str] = []
    for i in range(6):
        body.append(f'<text x="{_x(i / 5, 0, 1) - 8}" y="{H - B + 14}">{20 * i}%</text>')
    line = [
        (_x(p["false_refusal_rate"] or 0.0, 0, 1), _y(p["refusal_rate_unanswerable"] or 0.0), p)
        for p in pts
        if p["false_refusal_rate"] is not None and p["refusal_rate_unanswerable"] is not None
    ]
    if line:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in line)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{COLORS[0]}" stroke-width="2"/>'
        )
        for x, y, p in line:
            tip = f"floor shift {p['shift']:+.2f}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLORS[0]}"><title>{tip}</title></circle>'
            )
    fr, ru = answers.get("false_refusal_rate"), answers.get("refusal_rate_unanswerable")
    if fr is not None and ru is not None:
        x, y = _x(fr, 0, 1), _y(ru)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" stroke="{COLORS[3]}" stroke-width="2"/>'
        )
    legend = ["gate floor −0.08…+0.08", "this run"]
    return _frame("Refusal trade-off", "false refusals (answerable)", body, legend)


def render_html(report: dict[str, Any]) -> str:
    charts: list[str] = []
    retrieval, answers = report.get("retrieval"), report.get("answers")
    if retrieval:
        charts.append(hit_curve(retrieval))
    if retrieval or answers:
        charts.append(kind_bars(retrieval, answers))
    if answers:
        charts.append(tradeoff(answers))
    gen = (answers or {}).get("generator", {})
    judge = (answers or {}).get("judge", {})
    caption = html.escape(
        f"questions {report.get('questions', '')} · generator {gen.get('kind', '-')} "
        f"({gen.get('model', '-')}) · judge {judge.get('kind', '-')}"
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>eval report</title>'
        "<style>body{font-family:sans-serif;margin:20px}svg{margin:8px;border:1px solid #eee}"
        "</style></head><body><h2>Evaluation report</h2>"
        f"<p>{caption}</p><p>y axis: rate (trade-off: share of unanswerable questions "
        "refused)</p>" + "".join(charts) + "</body></html>\n"
    )
