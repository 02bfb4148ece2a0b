"""Text summaries for people: aligned tables that keep Chinese text in its columns."""

from __future__ import annotations

import unicodedata

import pandas as pd


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_table(frame: pd.DataFrame, title: str | None = None) -> str:
    """Fixed-width text table of ``frame`` (empty cells for NULL/NaN)."""
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    header = [str(c) for c in frame.columns]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values):
        return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=False)).rstrip()

    out = [title] if title else []
    out += [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out)
