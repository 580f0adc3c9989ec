"""A finished chart (figure, caption, numbers) and how it is written to disk."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from simulator.charts.style import styled
from simulator.files import write_atomic, write_text_atomic

FORMATS = ("png", "svg", "pdf")
PNG_DPI = 200


@dataclass
class Chart:
    """One chart: the figure, its file stem, a caption and the numbers behind it."""

    name: str
    figure: Figure
    caption: str
    table: pd.DataFrame


def write_chart(chart: Chart, out_dir: Path, fmt: str = "png") -> list[Path]:
    """Write ``<name>.<fmt>``, ``<name>.txt`` (caption) and ``<name>.csv`` (numbers) into ``out_dir``.

    Each file is written under a temporary name and renamed into place, so a failed write
    never leaves a half-written chart. Returns the three paths.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, found {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    image, caption, numbers = (out_dir / f"{chart.name}.{ext}" for ext in (fmt, "txt", "csv"))
    metadata: dict[str, str | None] = {"Creator": "siepac simulator"}
    if fmt in ("pdf", "svg"):
        metadata["Date"] = None  # reproducible files
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # PDF font subsetting is chatty at INFO
    dpi = PNG_DPI if fmt == "png" else None
    with styled():
        written = [write_atomic(image, lambda tmp: chart.figure.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata))]
    written.append(write_text_atomic(caption, chart.caption.rstrip() + "\n"))
    written.append(write_atomic(numbers, lambda tmp: chart.table.to_csv(tmp, index=False, float_format="%.6g")))
    return written
