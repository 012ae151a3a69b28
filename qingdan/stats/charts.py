"""Charts as server-side SVG: no JavaScript and no CDN, the same markup on the
dashboard and in the PDF bulletin. Every label is escaped; every chart has a
<title> for screen readers."""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import format as fmt

FONT = "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Zen Hei','Microsoft YaHei',sans-serif"
INK, MUTED, GRID = "#1f2933", "#616e7c", "#d9e2ec"
BLUE, LIGHT_BLUE, GREEN, ORANGE = "#1f6feb", "#9cc3ff", "#2f9e44", "#e8590c"
TIER_COLOURS = {"village": "#2f9e44", "town": "#1f6feb", "city": "#e8590c"}


def nice_max(value: float, ticks: int = 4) -> float:
    """A round upper bound for an axis of `ticks` equal steps of 1, 2 or 5 × 10^k
    (whole steps for counts)."""
    if value <= 0:
        return ticks
    raw = value / ticks
    exponent = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * exponent:
            size = step * exponent
            break
    if value >= ticks:  # counts: whole steps
        size = max(1, math.ceil(size))
    return size * ticks


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        # Its own width, shrunk to fit by the stylesheet (max-width: 100%): no style
        # attribute, which the Content-Security-Policy (style-src 'self') would block.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" role="img" class="chart" font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x, y, text, *, anchor="start", size=12, fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(str(text))}</text>'
    )


def _legend(x: int, y: int, items: list[tuple[str, str, str]]) -> list[str]:
    """items: (label, colour, 'bar' | 'line' | 'dash')."""
    parts = []
    for label, colour, style in items:
        if style == "bar":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if style == "dash" else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        parts.append(_text(x + 18, y, label))
        x += 30 + 13 * len(label)
    return parts


def trend_chart(trend: list[dict]) -> SafeString:
    """Cases registered per month (bars; the period's months darker), cases closed
    (line) and cases registered a year earlier (dashed line)."""
    width, height, left, right, top, bottom = 680, 260, 44, 12, 34, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_max(
        max([1] + [max(m["received"], m["closed"], m["received_year_ago"]) for m in trend])
    )
    n = max(len(trend), 1)
    slot = plot_w / n

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / peak

    body = _legend(
        left,
        16,
        [
            (pgettext("number of cases", "Registered"), BLUE, "bar"),
            (pgettext("number of cases", "Closed"), GREEN, "line"),
            (_("Registered a year earlier"), MUTED, "dash"),
        ],
    )
    for i in range(5):
        value = peak * i / 4
        body.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y(value) + 4, f"{value:g}", anchor="end", fill=MUTED))
    closed_points, earlier_points = [], []
    for i, month in enumerate(trend):
        x = left + slot * i
        bar_h = plot_h * month["received"] / peak
        colour = BLUE if month["in_period"] else LIGHT_BLUE
        body.append(
            f'<rect x="{x + slot * 0.18:.1f}" y="{y(month["received"]):.1f}" '
            f'width="{slot * 0.64:.1f}" height="{bar_h:.1f}" fill="{colour}">'
            f"<title>{escape(month['month'])}: {month['received']}</title></rect>"
        )
        centre = x + slot / 2
        closed_points.append(f"{centre:.1f},{y(month['closed']):.1f}")
        earlier_points.append(f"{centre:.1f},{y(month['received_year_ago']):.1f}")
        body.append(_text(centre, height - bottom + 16, month["month"][2:], anchor="middle"))
    for points, colour, dash in ((earlier_points, MUTED, "4 3"), (closed_points, GREEN, "")):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{extra}/>'
        )
    return _svg(width, height, _("Cases per month"), body)


def bar_chart(items: list[tuple[str, float, str]], title: str, *, scale=None) -> SafeString:
    """Horizontal bars: (label, value, text shown after the bar)."""
    items = items or [(_("No data"), 0, "")]
    row, left, right, top = 26, 150, 120, 8
    width = 680
    height = top * 2 + row * len(items)
    peak = scale or nice_max(max(value for _label, value, _note in items) or 1)
    plot_w = width - left - right
    body = []
    for i, (label, value, note) in enumerate(items):
        y = top + row * i
        label = label if len(label) <= 11 else label[:10] + "…"
        body.append(_text(left - 8, y + 17, label, anchor="end"))
        bar_w = plot_w * (value or 0) / peak
        body.append(
            f'<rect x="{left}" y="{y + 5}" width="{bar_w:.1f}" height="{row - 10}" fill="{BLUE}"/>'
        )
        body.append(_text(left + bar_w + 6, y + 17, note, fill=MUTED))
    return _svg(width, height, title, body)


def tier_chart(rows: list[tuple[str, dict, dict]]) -> SafeString:
    """100% bars of the cases closed at the village, town and city tier.
    rows: (label, {tier: share}, {tier: count})."""
    from qingdan.cases.choices import TIER_ORDER

    width, left, right, row = 680, 110, 20, 40
    height = 34 + row * len(rows)
    plot_w = width - left - right
    body = _legend(
        left, 16, [(str(tier.label), TIER_COLOURS[str(tier)], "bar") for tier in TIER_ORDER]
    )
    for i, (label, shares, counts) in enumerate(rows):
        y = 30 + row * i
        body.append(_text(left - 8, y + 19, label, anchor="end"))
        x = float(left)
        if not any(shares.values()):
            body.append(
                f'<rect x="{left}" y="{y + 4}" width="{plot_w}" height="{row - 12}" '
                f'fill="none" stroke="{GRID}"/>'
            )
            body.append(_text(left + plot_w / 2, y + 19, _("No case closed"), anchor="middle"))
            continue
        for tier in TIER_ORDER:
            share = shares.get(str(tier)) or 0
            w = plot_w * share
            if w <= 0:
                continue
            body.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 12}" '
                f'fill="{TIER_COLOURS[str(tier)]}"><title>{escape(str(tier.label))}: '
                f"{counts.get(str(tier), 0)}</title></rect>"
            )
            if w > 44:
                body.append(
                    _text(x + w / 2, y + 19, fmt.percent(share), anchor="middle", fill="#fff")
                )
            x += w
    return _svg(width, height, _("Cases closed at each tier"), body)
