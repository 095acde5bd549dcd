"""The executive summary as a one-page printable A4 PDF (fpdf2; the chart drawn with its own primitives)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from fpdf import FPDF

INK = (33, 37, 41)
MUTED = (108, 117, 125)
BLUE = (47, 93, 138)
ORANGE = (224, 123, 57)
RULE = (222, 226, 230)


def _latin(text: str) -> str:
    # the core PDF fonts are Latin-1: replace the few typographic characters our sentences use
    swaps = {"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u2264": "<=", "\u2265": ">=", "\u00d7": "x"}
    for a, b in swaps.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def figure_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The (label, value) pairs the PDF prints, in reading order; the page shows the same figures."""
    s = report["summary"]
    tenure = s["median_tenure_months"]
    return [
        ("Headcount", _num(s["headcount"])),
        ("Attrition, 12 months", f"{_pct(s['attrition_rate'])} (benchmark {report['benchmark']:.0%})"),
        ("Regretted attrition", _pct(s["regretted_attrition_rate"])),
        ("Median tenure", "n/a" if tenure is None else f"{tenure:.1f} months"),
        ("Hires", _num(s["hires"])),
        ("Exits (voluntary / involuntary)", f"{_num(s['exits_voluntary'])} / {_num(s['exits_involuntary'])}"),
        ("Moved to other teams", _num(s["transfers_out"])),
        (
            "Cost of attrition",
            "n/a" if report["attrition_cost"] is None else f"{report['currency']} {report['attrition_cost']:,.0f}",
        ),
        ("Promotions", _num(s["promotions"])),
        ("Management share of promotions", _pct(s["management_promotion_share"])),
        ("First-year attrition", _pct(report["first_year_attrition"])),
        ("Stalled teammates", _num(s["stalled"])),
        ("CSAT (share good)", _pct(s["csat"])),
        ("Resolved by bots", _pct(s["bot_share"])),
    ]


def _chart(
    pdf: FPDF, points: list[tuple[date, float]], benchmark: float, x: float, y: float, w: float, h: float
) -> None:
    """Trailing 12-month attrition as a line against the benchmark, with axes and labels."""
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    peak = max([benchmark, *[v for _, v in points]]) * 1.1 or 1.0
    tick = 0.1 if peak > 0.4 else 0.05
    steps = max(2, math.ceil(peak / tick))
    top = steps * tick
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(*MUTED)
    for i in range(steps + 1):
        value = top * i / steps
        yy = y + h - h * i / steps
        pdf.line(x, yy, x + w, yy)
        pdf.set_xy(x - 11, yy - 2)
        pdf.cell(10, 4, f"{value:.0%}", align="R")
    by = y + h - h * benchmark / top
    pdf.set_draw_color(*ORANGE)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.line(x, by, x + w, by)
    pdf.set_dash_pattern()
    pdf.set_text_color(*ORANGE)
    pdf.set_xy(x + 1, by - 4.5)
    pdf.cell(40, 4, f"benchmark {benchmark:.0%}")
    if len(points) >= 2:
        n = len(points) - 1
        coords = [(x + w * i / n, y + h - h * v / top) for i, (_, v) in enumerate(points)]
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.6)
        pdf.polyline(coords)
        pdf.set_text_color(*MUTED)
        for i in (0, n // 2, n):
            pdf.set_xy(coords[i][0] - 10, y + h + 1)
            pdf.cell(20, 4, points[i][0].strftime("%b %Y"), align="C")
        pdf.set_text_color(*BLUE)
        pdf.set_xy(coords[-1][0] - 22, coords[-1][1] - 5)
        pdf.cell(22, 4, f"{points[-1][1]:.0%}", align="R")
    pdf.set_line_width(0.2)


def _bars(pdf: FPDF, rows: list[tuple[str, float]], benchmark: float, x: float, y: float, w: float) -> float:
    """Horizontal bars of attrition per group with the benchmark as a dashed line; returns the bottom y."""
    label_w, bar_h, gap = 55, 4.2, 1.6
    top = max([benchmark, *[v for _, v in rows]]) * 1.1 or 1.0
    scale = (w - label_w - 12) / top
    pdf.set_font("Helvetica", size=8)
    for i, (label, value) in enumerate(rows):
        yy = y + i * (bar_h + gap)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x, yy)
        pdf.cell(label_w - 2, bar_h, _latin(label[:34]), align="R")
        pdf.set_fill_color(*(ORANGE if value > benchmark else BLUE))
        pdf.rect(x + label_w, yy, max(value * scale, 0.3), bar_h, style="F")
        pdf.set_text_color(*INK)
        pdf.set_xy(x + label_w + value * scale + 1, yy)
        pdf.cell(12, bar_h, f"{value:.0%}")
    bottom = y + len(rows) * (bar_h + gap)
    bx = x + label_w + benchmark * scale
    pdf.set_draw_color(*ORANGE)
    pdf.set_dash_pattern(dash=1.2, gap=1)
    pdf.line(bx, y - 1, bx, bottom)
    pdf.set_dash_pattern()
    pdf.set_text_color(*ORANGE)
    pdf.set_xy(bx - 15, bottom)
    pdf.cell(30, 4, f"benchmark {benchmark:.0%}", align="C")
    return bottom + 4


def render_executive_pdf(report: dict[str, Any], organisation: str = "Support organisation") -> bytes:
    """One A4 page: the figures, the three things to act on, and the attrition chart."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    s = report["summary"]
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 9, _latin(f"{organisation}: executive summary"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        0, 5, _latin(f"The 12 months ending {s['as_of']}. Definitions: docs/metrics.md."), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)

    # figures: two columns of label / value pairs
    rows = figure_rows(report)
    col_w, row_h = 90, 7.5
    top = pdf.get_y()
    for i, (label, value) in enumerate(rows):
        col, row = i % 2, i // 2
        x, y = 15 + col * (col_w + 0), top + row * row_h
        pdf.set_draw_color(*RULE)
        pdf.line(x, y + row_h, x + col_w - 4, y + row_h)
        pdf.set_xy(x, y + 1)
        pdf.set_font("Helvetica", size=9)
        pdf.set_text_color(*MUTED)
        pdf.cell(48, 6, _latin(label))
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(col_w - 52, 6, _latin(value), align="R")
    pdf.set_y(top + ((len(rows) + 1) // 2) * row_h + 6)

    pdf.set_font("Helvetica", "B", 12)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, "Three things to act on", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    actions = report["actions"] or ["Nothing stands out: every figure is within its usual range."]
    for i, text in enumerate(actions, start=1):
        pdf.set_x(15)
        pdf.multi_cell(0, 5.2, _latin(f"{i}. {text}"), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.ln(3)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Attrition, trailing 12 months, against the benchmark", new_x="LMARGIN", new_y="NEXT")
    trailing = report["trailing"]
    points = list(zip(trailing["month"].to_list(), trailing["trailing_12m_attrition_rate"].to_list(), strict=True))
    chart_top = pdf.get_y() + 4
    _chart(pdf, points, report["benchmark"], 28, chart_top, 165, 62)

    teams = report["by_team"].sort("attrition_rate", descending=True).head(10)
    if teams.height:
        pdf.set_xy(15, chart_top + 72)
        pdf.set_font("Helvetica", "B", 12)
        pdf.set_text_color(*INK)
        pdf.cell(0, 7, "Attrition by team, 12 months (orange: above the benchmark)", new_x="LMARGIN", new_y="NEXT")
        rows = list(zip(teams["team"].to_list(), teams["attrition_rate"].to_list(), strict=True))
        _bars(pdf, rows, report["benchmark"], 15, pdf.get_y() + 2, 180)

    pdf.set_xy(15, 282)
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        0,
        4,
        _latin(
            f"Groups under the minimum size are suppressed. Cost of attrition = exits x {report['currency']} "
            f"{report['replacement_cost']:,.0f} replacement cost (settings). Generated by Tenure."
        ),
    )
    return bytes(pdf.output())
