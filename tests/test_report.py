"""``siepac report``: a self-contained page (nothing to fetch), its content against the runs' own
numbers, Spanish, size, bad input, and a real headless Chromium with the network blocked."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from simulator import COUNTRIES
from simulator.charts.style import country_name
from simulator.cli import app
from simulator.compare import compare_runs
from simulator.errors import DataError
from simulator.report import Section, build_report, write_report
from simulator.results.runs import find_reference, load_runs
from simulator.run import run_scenario
from simulator.testing import short_scenario

runner = CliRunner()
MAX_BYTES = 5_000_000


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One-day runs of base_2022 and anchor_tapachula (pipeline and anchor plant) in one folder."""
    out = tmp_path_factory.mktemp("runs")
    for name in ("base_2022.yaml", "anchor_tapachula.yaml"):
        run_scenario(short_scenario(name, days=1), out)
    return out


@pytest.fixture(scope="module")
def pages(results: Path) -> dict[str, str]:
    paths = [results / "base_2022", results / "anchor_tapachula"]
    return {lang: build_report(paths, "base_2022", lang) for lang in ("en", "es")}


class Parts(HTMLParser):
    """Collects scripts, links, sources and table rows of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.refs: list[tuple[str, str, str]] = []
        self.rows: dict[str, int] = {}
        self.table: str | None = None
        self.script_text: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "srcset", "data", "poster", "action"):
            if found.get(name):
                self.refs.append((tag, name, str(found[name])))
        if tag == "script":
            self.scripts.append(found)
            self._script = str(found.get("id") or f"script-{len(self.scripts)}")
            self.script_text[self._script] = ""
        if tag == "table":
            self.table = str(found.get("id"))
            self.rows[self.table] = 0
        if tag == "tr" and self.table is not None:
            self.rows[self.table] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag == "table":
            self.table = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.script_text[self._script] += data


def parse(page: str) -> Parts:
    parts = Parts()
    parts.feed(page)
    return parts


def figures(page: str) -> dict[str, dict]:
    return json.loads(parse(page).script_text["figures"])


def test_page_fetches_nothing(pages: dict[str, str]) -> None:
    for page in pages.values():
        parts = parse(page)
        assert parts.scripts and all(s.get("src") is None for s in parts.scripts)  # every script inline
        external = [r for r in parts.refs if not r[2].startswith("#")]
        assert external == []  # only in-page anchors: no script, style, font, image or link to load
        assert "<link" not in page and "@import" not in page and "url(" not in page
        assert not re.search(r"https?://", page)  # no address at all (the library is packed, not readable)


def test_embedded_library_is_plotly(pages: dict[str, str]) -> None:
    packed = parse(pages["en"]).script_text["plotly-gz"].strip()
    assert gzip.decompress(base64.b64decode(packed)).decode("utf-8") == get_plotlyjs()


def test_size(pages: dict[str, str]) -> None:
    for page in pages.values():
        assert 1_000_000 < len(page.encode("utf-8")) < MAX_BYTES


def test_every_country_and_compare_row(results: Path, pages: dict[str, str]) -> None:
    runs = load_runs([results / "base_2022", results / "anchor_tapachula"])
    table = compare_runs(runs, find_reference(runs, "base_2022"))
    parts = parse(pages["en"])
    assert parts.rows["compare-table"] == len(table) + 1  # heading row + one per compared figure
    page = pages["en"]
    for country in COUNTRIES:
        assert country_name(country, "en") in page
    for section in ("scenarios", "map", "prices", "generation", "corridors", "gas", "table", "inputs", "about"):
        assert f'<section id="{section}">' in page
    assert "gas.route" in page and "tapachula" in page  # the inputs diff
    manifest = json.loads((results / "anchor_tapachula" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input_data_sha256"] in page
    assert manifest["scenario"]["description"] in page


def test_map_numbers_are_the_kpis(results: Path, pages: dict[str, str]) -> None:
    """The change map's country hovers carry the load-weighted price change read from kpis.csv."""
    kpis = {
        name: pd.read_csv(results / name / "kpis.csv", keep_default_na=False).query("metric == 'price_load_weighted'")
        for name in ("base_2022", "anchor_tapachula")
    }
    base = kpis["base_2022"].set_index("region").value
    mine = kpis["anchor_tapachula"].set_index("region").value
    change_map = figures(pages["en"])["fig-map-0"]
    hovers = {t["name"]: t.get("text", "") for t in change_map["data"] if t.get("fill") == "toself"}
    for country in COUNTRIES:
        assert f"{mine[country] - base[country]:+.1f}" in hovers[country]
    colours = {t["name"]: t["fillcolor"] for t in change_map["data"] if t.get("fill") == "toself"}
    order = sorted(COUNTRIES, key=lambda c: mine[c] - base[c])
    assert colours[order[0]] != colours[order[-1]]  # shaded by the change
    lines = [t for t in change_map["data"] if t.get("mode") == "lines" and not t.get("fill")]
    assert len(lines) >= 19  # every line drawn, the Mexico link among them
    assert any("MX_TAPACHULA-GT_LOS_BRILLANTES" in str(t.get("text")) for t in change_map["data"])


def test_spanish(pages: dict[str, str]) -> None:
    es, en = (pages[lang] + json.dumps(figures(pages[lang]), ensure_ascii=False) for lang in ("es", "en"))
    assert '<html lang="es">' in es
    for words in ("Mapa de la red", "Tabla comparativa", "Insumos que difieren", "Panamá", "Cambio de precio"):
        assert words in es and words not in en
    assert "Comparison table" not in es and "Map of the network" not in es


def test_extra_sections_and_one_run(results: Path) -> None:
    extra = Section("appraisal", "Appraisal summary", "<p>gains and losses</p>")
    page = build_report([results / "base_2022", results / "anchor_tapachula"], extra_sections=[extra])
    assert page.index('<section id="appraisal">') < page.index('<section id="table">')
    alone = build_report([results / "anchor_tapachula"])
    assert '<section id="map">' in alone and '<section id="table">' not in alone
    with pytest.raises(DataError, match="nothing to compare"):
        build_report([results / "base_2022"], "base_2022")


def test_runs_without_network(results: Path, tmp_path: Path) -> None:
    """A run kept without network.nc still gets its KPI figures and tables; the page says what is missing."""
    bare = tmp_path / "anchor_tapachula"
    shutil.copytree(results / "anchor_tapachula", bare, ignore=shutil.ignore_patterns("network.nc"))
    page = build_report([results / "base_2022", bare])
    drawn = figures(page)
    assert "fig-map-0" in drawn and "fig-map-1" not in drawn  # the reference's price map only
    assert {"fig-price-change", "fig-generation", "fig-hours-at-limit"} <= set(drawn)
    assert "No network.nc in anchor_tapachula" in page and '<table id="compare-table"' in page


def test_cli_writes_the_page(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", str(results / "anchor_tapachula"), "--reference", "base_2022", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{r}/nowhere"], "not found"),
        (["{r}/base_2022", "{r}/anchor_tapachula", "--reference", "nobody"], "reference 'nobody'"),
        (["{r}/base_2022", "{r}/anchor_tapachula", "--lang", "fr"], "--lang"),
        (["{r}/base_2022", "{r}/anchor_tapachula", "--out", "{t}/report.pdf"], "must end in .html"),
        (["{r}/base_2022", "{r}/anchor_tapachula", "--out", "{t}"], "is a folder"),
        (["{r}"], "is not a run folder"),
    ],
)
def test_bad_input_is_exit_2(results: Path, tmp_path: Path, args: list[str], message: str) -> None:
    keep = tmp_path / "kept.html"
    keep.write_text("earlier report", encoding="utf-8")
    args = [a.format(r=results, t=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(keep)]
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert keep.read_text(encoding="utf-8") == "earlier report"


def test_failed_build_leaves_the_earlier_page(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("earlier", encoding="utf-8")
    with pytest.raises(DataError):
        write_report([results / "base_2022", results / "anchor_tapachula"], out, reference="nobody")
    assert out.read_text(encoding="utf-8") == "earlier"


# --- a real browser --------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_HOSTS = ("google.com", "googleapis.com", "gstatic.com", "gvt1.com")
"""Chromium's own background services (time, updates, accounts): blocked like everything else, and
not asked for by the page; any other address in the network log would be the page's."""


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        # no network: every name resolves to nothing and every connection goes to a closed local port
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--enable-logging=stderr",
        "--v=0",
        "--hide-scrollbars",
        "--window-size=1300,2400",
        "--virtual-time-budget=20000",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "LANG": "C"}
    )


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian package chromium; `make setup` installs it where apt-get works)",
)
def test_browser_draws_the_page_offline(pages: dict[str, str], tmp_path: Path) -> None:
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(pages["en"], encoding="utf-8")
    drawn = _chromium(page, tmp_path / "profile-1", f"--log-net-log={tmp_path / 'net.json'}", "--dump-dom")
    console = [line for line in drawn.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == [], "\n".join(console)
    expected = len(figures(pages["en"]))
    assert f'data-drawn="{expected}"' in drawn.stdout  # every figure drawn by plotly.js
    assert drawn.stdout.count('class="main-svg"') >= expected
    asked = set(re.findall(r'"url":"(https?://[^"]+)"', (tmp_path / "net.json").read_text(encoding="utf-8")))
    hosts = {urlparse(u).hostname or "" for u in asked}
    assert [h for h in hosts if not h.endswith(BROWSER_HOSTS)] == []

    shot = tmp_path / "shot.png"
    _chromium(page, tmp_path / "profile-2", f"--screenshot={shot}")
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=int).reshape(-1, 3)
    # the first map (price change) is in the first screen: count the pixels of each country's fill
    fills = {t["name"]: t["fillcolor"] for t in figures(pages["en"])["fig-map-0"]["data"] if t.get("name") in COUNTRIES}
    counts = {}
    for country, colour in fills.items():
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        counts[country] = int((np.abs(pixels - rgb).max(axis=1) <= 2).sum())
    assert sum(counts.values()) > 20_000, counts  # the shaded countries are on the screen
    assert counts["HN"] > 2_000 and counts["GT"] > 2_000, counts  # the two largest changes, two colours
    dark = int((pixels.sum(axis=1) < 100).sum())
    assert dark > 5_000, dark  # lines, outlines and labels
