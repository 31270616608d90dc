"""Server-rendered SVG charts: dyad bars by quad class, the actor network, the event map.

Written by hand because the dashboard must work offline with no JavaScript chart
library: three small charts are a few dozen lines of SVG each. Every string that
reaches the markup passes through ``_esc`` (codes come from user actor files too).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

# PLOVER quad classes: (quad_code, series key in dyads.store.queries.series, label, colour).
QUAD_STYLE: tuple[tuple[int, str, str, str], ...] = (
    (1, "verbal_coop", "verbal cooperation", "#7fbf7b"),
    (2, "material_coop", "material cooperation", "#1b7837"),
    (3, "verbal_conflict", "verbal conflict", "#f4a582"),
    (4, "material_conflict", "material conflict", "#b2182b"),
)


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# -- dyad chart -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One period of a dyad series: counts per quad class and where its events are."""

    period: str
    counts: dict[int, int]  # quad_code -> count
    href: str


def dyad_chart(bars: Sequence[Bar], width: int = 860, height: int = 340) -> str:
    """Diverging stacked bars: cooperation (quads 1, 2) up, conflict (3, 4) down."""
    if not bars:
        return '<p class="empty">No dated events for this pair.</p>'
    left, right, top, bottom = 56, 12, 34, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    up = max(sum(b.counts.get(q, 0) for q in (1, 2)) for b in bars)
    down = max(sum(b.counts.get(q, 0) for q in (3, 4)) for b in bars)
    span = max(up + down, 1)
    scale = plot_h / span
    zero = top + up * scale
    step = plot_w / len(bars)
    bar_w = max(min(step * 0.8, 48), 1.5)
    out = [
        f'<svg class="chart dyad-chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="cooperation and conflict over time">',
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{_num(zero)}" y2="{_num(zero)}"/>',
    ]
    out.append(f'<text class="tick" x="{left - 6}" y="{_num(zero + 4)}" text-anchor="end">0</text>')
    out.append(f'<text class="caption" x="12" y="{_num(zero - 8)}" transform="rotate(-90 12 {_num(zero - 8)})"'
               ' text-anchor="start">cooperation \u2192</text>')
    out.append(f'<text class="caption" x="12" y="{_num(zero + 8)}" transform="rotate(-90 12 {_num(zero + 8)})"'
               ' text-anchor="end">\u2190 conflict</text>')
    for value, y in _ticks(up, down, zero, scale):
        out.append(f'<text class="tick" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{value}</text>')
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}"/>')
    label_every = max(1, math.ceil(len(bars) / 12))
    for i, bar in enumerate(bars):
        x = left + i * step + (step - bar_w) / 2
        out.append(f'<a class="bar" href="{_esc(bar.href)}" data-period="{_esc(bar.period)}">')
        y_up, y_down = zero, zero
        for quad, _, label, colour in QUAD_STYLE:
            n = bar.counts.get(quad, 0)
            if not n:
                continue
            h = n * scale
            if quad <= 2:
                y_up -= h
                y = y_up
            else:
                y = y_down
                y_down += h
            out.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}"'
                f' fill="{colour}"><title>{_esc(bar.period)}: {n} {label}</title></rect>'
            )
        out.append("</a>")
        if i % label_every == 0:
            cx = x + bar_w / 2
            out.append(
                f'<text class="tick" x="{_num(cx)}" y="{height - bottom + 16}" text-anchor="end"'
                f' transform="rotate(-35 {_num(cx)} {height - bottom + 16})">{_esc(bar.period)}</text>'
            )
    out.append(_legend(left, 16))
    out.append("</svg>")
    return "".join(out)


def _ticks(up: int, down: int, zero: float, scale: float) -> list[tuple[int, float]]:
    """A few round tick values above (cooperation) and below (conflict) the zero line."""
    biggest = max(up, down, 1)
    step = max(1, 10 ** math.floor(math.log10(biggest)))
    if biggest / step < 3:
        step = max(1, step // 2)
    ticks = [(v, zero - v * scale) for v in range(step, up + 1, step)]
    ticks += [(v, zero + v * scale) for v in range(step, down + 1, step)]
    return ticks


def _legend(x: float, y: float) -> str:
    parts = []
    for _, _, label, colour in QUAD_STYLE:
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y - 9)}" width="10" height="10" fill="{colour}"/>'
            f'<text class="legend" x="{_num(x + 14)}" y="{_num(y)}">{label}</text>'
        )
        x += 24 + 7 * len(label)
    return "".join(parts)


# -- actor network ----------------------------------------------------------------


def network_chart(
    edges: Sequence[dict[str, Any]],
    href: Callable[[str, str], str],
    size: int = 640,
    max_nodes: int = 24,
) -> str:
    """Actors on a circle, curved arrows actor -> recipient, width by count, colour by conflict share."""
    if not edges:
        return '<p class="empty">No events with both an actor and a recipient.</p>'
    weight: dict[str, int] = {}
    for e in edges:
        weight[e["source"]] = weight.get(e["source"], 0) + e["n"]
        weight[e["target"]] = weight.get(e["target"], 0) + e["n"]
    nodes = sorted(weight, key=lambda k: (-weight[k], k))[:max_nodes]
    centre, radius = size / 2, size / 2 - 70
    pos = {
        code: (centre + radius * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
               centre + radius * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2))
        for i, code in enumerate(nodes)
    }
    heaviest = max(e["n"] for e in edges)
    radius_of = {code: 6 + 10 * math.sqrt(weight[code] / max(weight.values())) for code in nodes}
    out = [
        f'<svg class="chart network" viewBox="0 0 {size} {size}" role="img" aria-label="actor network">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11"'
        ' markerHeight="11" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z"'
        ' fill="#444"/></marker></defs>',
    ]
    for e in edges:
        if e["source"] not in pos or e["target"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        # Bend each edge to its left so A->B and B->A are two visible curves.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        cx, cy = mx - dy * 0.15, my + dx * 0.15
        # End on the target's rim: step back from its centre towards the control point.
        back = math.hypot(x2 - cx, y2 - cy) or 1.0
        gap = radius_of[e["target"]] + 2
        x2, y2 = x2 - (x2 - cx) * gap / back, y2 - (y2 - cy) * gap / back
        share = e["conflict"] / e["n"] if e["n"] else 0.0
        colour = _blend("#1b7837", "#b2182b", share)
        width = 1 + 7 * math.sqrt(e["n"] / heaviest)
        out.append(
            f'<a href="{_esc(href(e["source"], e["target"]))}"><path class="edge" d="M{_num(x1)},{_num(y1)}'
            f' Q{_num(cx)},{_num(cy)} {_num(x2)},{_num(y2)}" stroke="{colour}" stroke-width="{_num(width)}"'
            f' marker-end="url(#arrow)"><title>{_esc(e["source"])} \u2192 {_esc(e["target"])}: {e["n"]} events'
            f' ({e["cooperation"]} cooperation, {e["conflict"]} conflict)</title></path></a>'
        )
    for code in nodes:
        x, y = pos[code]
        r = radius_of[code]
        lx, ly = centre + (radius + r + 18) * (x - centre) / radius, centre + (radius + r + 18) * (y - centre) / radius
        out.append(
            f'<g class="node"><circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}">'
            f'<title>{_esc(code)}: {weight[code]} events</title></circle>'
            f'<text x="{_num(lx)}" y="{_num(ly + 4)}" text-anchor="middle">{_esc(code)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _blend(a: str, b: str, t: float) -> str:
    """Linear mix of two #rrggbb colours."""
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


# -- map --------------------------------------------------------------------------

MAP_W, MAP_H = 960, 480  # equirectangular: 360 x 180 degrees at 8/3 px per degree


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180) * MAP_W / 360, (90 - lat) * MAP_H / 180


@functools.lru_cache(maxsize=1)
def country_outlines() -> str:
    """SVG path data of the country outlines shipped (as GeoJSON) by the countryinfo package."""
    data = importlib.resources.files("countryinfo").joinpath("data")
    paths: list[str] = []
    for entry in sorted(data.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            record = json.loads(entry.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # a broken data file costs one outline, not the map
        for feature in (record.get("geoJSON") or {}).get("features") or []:
            geometry = feature.get("geometry") or {}
            polygons = geometry.get("coordinates") or []
            if geometry.get("type") == "Polygon":
                polygons = [polygons]
            elif geometry.get("type") != "MultiPolygon":
                continue
            for polygon in polygons:
                for ring in polygon:
                    paths.append(_ring_path(ring))
    return "".join(p for p in paths if p)


def _ring_path(ring: Sequence[Sequence[float]]) -> str:
    """One closed ring as path data, rounded to whole pixels, repeated points dropped."""
    points: list[tuple[int, int]] = []
    for lon, lat, *_ in ring:
        x, y = _xy(lon, lat)
        p = (round(x), round(y))
        if not points or points[-1] != p:
            points.append(p)
    if len(points) < 3:
        return ""
    return "M" + "L".join(f"{x} {y}" for x, y in points) + "Z"


def map_chart(points: Sequence[dict[str, Any]]) -> str:
    """Country outlines, a 30-degree graticule and one circle per event place."""
    out = [
        f'<svg class="chart map" viewBox="0 0 {MAP_W} {MAP_H}" role="img" aria-label="map of event places">',
        f'<rect class="sea" width="{MAP_W}" height="{MAP_H}"/>',
    ]
    for lon in range(-180, 181, 30):
        x, _ = _xy(lon, 0)
        out.append(f'<line class="graticule" x1="{_num(x)}" x2="{_num(x)}" y1="0" y2="{MAP_H}"/>')
    for lat in range(-60, 61, 30):
        _, y = _xy(0, lat)
        out.append(f'<line class="graticule" x1="0" x2="{MAP_W}" y1="{_num(y)}" y2="{_num(y)}"/>')
    out.append(f'<path class="land" d="{country_outlines()}"/>')
    biggest = max((p["n"] for p in points), default=1)
    for p in sorted(points, key=lambda p: -p["n"]):  # small circles drawn over big ones
        x, y = _xy(float(p["lon"]), float(p["lat"]))
        r = 3 + 9 * math.sqrt(p["n"] / biggest)
        colour = _blend("#1b7837", "#b2182b", p["conflict"] / p["n"] if p["n"] else 0.0)
        name = p.get("place") or f'{p["lat"]}, {p["lon"]}'
        out.append(
            f'<circle class="place" cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{colour}">'
            f'<title>{_esc(name)} ({_esc(p.get("country_code") or "?")}): {p["n"]} events,'
            f' {p["conflict"]} conflict</title></circle>'
        )
    out.append("</svg>")
    return "".join(out)
