"""Shared set-up of the notebooks in ``notebooks/``: the repository, the span, where runs and charts go.

The notebooks run on the full year, or on a reduced span when the environment variable
``SIEPAC_NOTEBOOK_DAYS`` holds a number of days (``make test`` sets it so that they stay
quick); the reduced span starts on 7 March, in the dry season, when limits bind.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.scenario import Scenario

if TYPE_CHECKING:
    from simulator.charts import Chart

SPAN_VARIABLE = "SIEPAC_NOTEBOOK_DAYS"
REDUCED_START = (3, 7)
"""Month and day a reduced span starts on."""


def repository_root(start: Path) -> Path:
    """Return the repository folder (it holds pyproject.toml and scenarios/) at or above ``start``."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "scenarios").is_dir():
            return folder
    msg = f"no SIEPAC simulator repository at or above {start}; open the notebook from notebooks/"
    raise FileNotFoundError(msg)


def notebook_days() -> int | None:
    """Return ``SIEPAC_NOTEBOOK_DAYS`` as a number of days (None when unset or empty: the full year)."""
    text = os.environ.get(SPAN_VARIABLE, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 300:
        msg = f"{SPAN_VARIABLE} must be a whole number of days from 1 to 300, found {text!r}"
        raise ValueError(msg)
    return int(text)


@dataclass(frozen=True)
class NotebookSetup:
    """Where one notebook finds its inputs and writes its runs and charts, and its span."""

    name: str
    root: Path
    days: int | None

    @classmethod
    def from_environment(cls, name: str, start: Path | None = None) -> NotebookSetup:
        """Find the repository from ``start`` (default: the working folder) and read the span."""
        return cls(name, repository_root((start or Path.cwd()).resolve()), notebook_days())

    @property
    def scenarios(self) -> Path:
        return self.root / "scenarios"

    @property
    def out(self) -> Path:
        """Runs of every notebook with this span: ``results/notebooks/<full_year|N_days>``."""
        return self.root / "results" / "notebooks" / ("full_year" if self.days is None else f"{self.days}_days")

    @property
    def charts(self) -> Path:
        return self.out / "charts" / self.name

    @property
    def span(self) -> str:
        """The span in words, for the notebook's text."""
        if self.days is None:
            return "the full year"
        return f"{self.days} days from {dt.date(2000, *REDUCED_START):%-d %B}"

    @property
    def reduced(self) -> str:
        """A warning to add after the span when it is reduced (empty for the full year)."""
        if self.days is None:
            return ""
        return f" (a reduced span set by {SPAN_VARIABLE}: energies, costs and hours cover these days only)"

    def with_span(self, scenario: Scenario) -> Scenario:
        """Return the scenario cut to the notebook's span, or unchanged for the full year."""
        if self.days is None:
            return scenario
        start = dt.date(scenario.year, *REDUCED_START)
        solve = scenario.solve.model_copy(update={"start_date": start, "days": self.days})
        return scenario.model_copy(update={"solve": solve})

    def banner(self) -> str:
        """The opening line every notebook shows: its span and where its runs go."""
        return f"**Span of every run in this notebook:** {self.span}{self.reduced}. Runs are written to `{self.out.relative_to(self.root)}`."

    def show(self, chart: Chart, suffix: str = "") -> None:
        """Write a chart as PNG (with its caption .txt and numbers .csv) and display it."""
        from IPython.display import Image, display

        from simulator.charts import write_chart

        chart.name += suffix
        image, _, _ = write_chart(chart, self.charts, "png")
        display(Image(filename=str(image), width=800))
        print(chart.caption)
