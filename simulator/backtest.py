"""Modelled against observed history: the back-test of a base year.

The table compares, from a run's ``kpis.csv`` and the files of ``grids/history/``:

- generation share by country and carrier (% of the country's generation; error in
  percentage points; target within 5 pp for carriers above 5 % of observed generation);
- net position in the regional market by country (GWh, + = net exporter; target: the
  right sign and within 40 %);
- total energy traded in the regional market (target within 25 %);
- Mexico -> Guatemala net energy (target within 25 %);
- monthly load-weighted prices against the observed months of ``history/prices.csv``
  (El Salvador: target a mean absolute error within 20 % over its observed months; other
  countries' single points are shown, not judged).

Only 2022 (and earlier) observations are shipped: 2023 is the out-of-sample year, and
its back-test prints the modelled figures alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa

from simulator import CARRIERS, COUNTRIES
from simulator.files import write_atomic
from simulator.tables import read_table

SHARE_TARGET_PP = 5.0
SHARE_MATERIAL_PCT = 5.0
NET_POSITION_TARGET = 0.40
REGIONAL_TARGET = 0.25
PRICE_TARGET = 0.20
PRICE_JUDGED: tuple[str, ...] = ("SV",)
"""Countries whose observed monthly prices are judged (enough months); others are shown only."""
BACKTEST_COLUMNS = [
    "check",
    "region",
    "carrier",
    "modelled",
    "observed",
    "unit",
    "error",
    "error_unit",
    "target",
    "within_target",
    "month",
]


@dataclass(frozen=True)
class History:
    """Observed outcomes of ``grids/history/``."""

    generation: pd.DataFrame
    trade: pd.DataFrame
    regional: pd.DataFrame
    prices: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["country", "year", "month", "quantity", "value", "unit"])
    )

    def years(self) -> set[int]:
        """Return the years with observed generation."""
        return set(self.generation.year.astype(int))


def load_history(root: Path | None = None) -> History:
    """Read and check ``grids/history/`` (source and tag on every row)."""
    columns = {
        "generation": ("country", "year", "carrier", "value", "unit"),
        "trade": ("country", "year", "quantity", "value", "unit"),
        "regional": ("year", "quantity", "value", "unit"),
        "prices": ("country", "year", "month", "quantity", "value", "unit"),
    }
    tables = {name: read_table(f"history/{name}.csv", root, cols) for name, cols in columns.items()}
    return History(**tables)


def _kpi(kpis: pd.DataFrame, metric: str, region: str, carrier: str = "") -> float:
    rows = kpis[(kpis.metric == metric) & (kpis.region == region) & (kpis.carrier.fillna("") == carrier)]
    return float(rows.value.iloc[0]) if len(rows) else float("nan")


def modelled_shares(kpis: pd.DataFrame) -> pd.DataFrame:
    """Return generation shares (%) by country and carrier from a run's KPIs."""
    generation = kpis[kpis.metric == "generation"].pivot_table(
        index="region", columns="carrier", values="value", aggfunc="sum"
    )
    generation = generation.reindex(columns=list(CARRIERS), fill_value=0.0).fillna(0.0)
    return 100.0 * generation.div(generation.sum(axis=1), axis=0)


def observed_shares(history: History, year: int) -> pd.DataFrame:
    """Return observed generation shares (%) by country and carrier."""
    rows = history.generation[history.generation.year == year]
    generation = rows.pivot_table(index="country", columns="carrier", values="value", aggfunc="sum")
    generation = generation.reindex(columns=list(CARRIERS), fill_value=0.0).fillna(0.0)
    return 100.0 * generation.div(generation.sum(axis=1), axis=0)


def monthly_prices(n: pypsa.Network) -> pd.DataFrame:
    """Return each country's monthly load-weighted price (USD/MWh) of a solved network.

    The hourly price is the dual of the national hub's balance; the weight is the country's
    load in that snapshot (times the snapshot's hours). Columns: ``country, month, price``.
    """
    w = n.snapshot_weightings.generators
    hubs = n.buses[n.buses.national_hub.astype(bool)]
    rows = []
    for bus, country in hubs.country.items():
        if country not in COUNTRIES:
            continue
        load = n.loads_t.p_set[n.loads.index[n.loads.country == country]].sum(axis=1) * w
        price = n.buses_t.marginal_price[bus]
        months = n.snapshots.month
        weighted = (price * load).groupby(months).sum() / load.groupby(months).sum()
        rows += [(country, int(m), float(v)) for m, v in weighted.items()]
    return pd.DataFrame(rows, columns=["country", "month", "price"])


def price_rows(monthly: pd.DataFrame, history: History, year: int) -> list[tuple[object, ...]]:
    """Rows of the price check: one per observed month (shown), and for each judged country
    the mean absolute percentage error over its observed months (target within 20 %)."""
    observed = history.prices[(history.prices.year == year) & (history.prices.quantity == "monthly_price_usd_per_mwh")]
    modelled = monthly.set_index(["country", "month"]).price
    rows: list[tuple[object, ...]] = []
    for country in COUNTRIES:
        mine = observed[observed.country == country].sort_values("month")
        errors, model_values = [], []
        for row in mine.itertuples():
            m = float(modelled.get((country, int(row.month)), float("nan")))
            o = float(row.value)
            errors.append((m - o) / o)
            model_values.append(m)
            rows.append(
                ("monthly_price", country, "", m, o, "USD/MWh", 100.0 * (m - o) / o, "%", "-", None, int(row.month))
            )
        if country in PRICE_JUDGED and errors:
            mape = float(np.mean(np.abs(errors)))
            rows.append(
                (
                    "monthly_price_error",
                    country,
                    "",
                    float(np.mean(model_values)),
                    float(mine.value.mean()),
                    "USD/MWh",
                    100.0 * mape,
                    "% mean abs",
                    f"mean abs ±{PRICE_TARGET:.0%}",
                    bool(mape <= PRICE_TARGET),
                    np.nan,
                )
            )
    return rows


def backtest_table(
    kpis: pd.DataFrame, history: History, year: int, monthly: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Compare a run's KPIs (and monthly prices, if given) with the observed history of ``year``
    (see module docstring)."""
    rows: list[tuple[object, ...]] = []
    model, observed = modelled_shares(kpis), observed_shares(history, year)
    for country in COUNTRIES:
        if country not in model.index or country not in observed.index:
            continue
        for carrier in CARRIERS:
            m, o = float(model.loc[country, carrier]), float(observed.loc[country, carrier])
            material = o > SHARE_MATERIAL_PCT
            rows.append(
                (
                    "generation_share",
                    country,
                    carrier,
                    m,
                    o,
                    "%",
                    m - o,
                    "pp",
                    f"±{SHARE_TARGET_PP:g} pp" if material else "-",
                    abs(m - o) <= SHARE_TARGET_PP if material else None,
                    np.nan,
                )
            )
    trade = history.trade[(history.trade.year == year) & (history.trade.quantity == "net_position_mer_gwh")]
    for row in trade.itertuples():
        m, o = _kpi(kpis, "net_exports", str(row.country)), float(row.value)
        relative = (m - o) / abs(o) if o else float("nan")
        ok = bool(np.sign(m) == np.sign(o) and abs(relative) <= NET_POSITION_TARGET)
        rows.append(
            (
                "net_position",
                row.country,
                "",
                m,
                o,
                "GWh",
                100.0 * relative,
                "%",
                f"sign, ±{NET_POSITION_TARGET:.0%}",
                ok,
                np.nan,
            )
        )
    for check, metric, quantity in (
        ("regional_traded_energy", "regional_traded_energy", "mer_traded_energy_gwh"),
        ("mexico_to_guatemala", None, "mexico_to_guatemala_gwh"),
    ):
        hit = history.regional[(history.regional.year == year) & (history.regional.quantity == quantity)]
        if hit.empty:
            continue
        o = float(hit.value.iloc[0])
        m = (
            _kpi(kpis, metric, "ALL")
            if metric
            else _kpi(kpis, "flow_forward", "MX-GT") - _kpi(kpis, "flow_backward", "MX-GT")
        )
        relative = (m - o) / abs(o)
        region = "SIEPAC" if metric else "MX-GT"
        rows.append(
            (
                check,
                region,
                "",
                m,
                o,
                "GWh",
                100.0 * relative,
                "%",
                f"±{REGIONAL_TARGET:.0%}",
                abs(relative) <= REGIONAL_TARGET,
                np.nan,
            )
        )
    if monthly is not None:
        rows += price_rows(monthly, history, year)
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def score(table: pd.DataFrame) -> tuple[int, int]:
    """Return (checks within target, checks with a target)."""
    judged = table.within_target.dropna()
    return int(judged.astype(bool).sum()), len(judged)


def modelled_only(kpis: pd.DataFrame, monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the back-test quantities of a run without observations (out-of-sample year),
    with the monthly load-weighted prices if given."""
    shares = modelled_shares(kpis)
    rows: list[tuple[object, ...]] = [
        ("generation_share", c, k, float(shares.loc[c, k]), np.nan, "%") for c in shares.index for k in CARRIERS
    ]
    rows += [("net_position", c, "", _kpi(kpis, "net_exports", c), np.nan, "GWh") for c in COUNTRIES]
    rows.append(("regional_traded_energy", "SIEPAC", "", _kpi(kpis, "regional_traded_energy", "ALL"), np.nan, "GWh"))
    rows.append(
        (
            "mexico_to_guatemala",
            "MX-GT",
            "",
            _kpi(kpis, "flow_forward", "MX-GT") - _kpi(kpis, "flow_backward", "MX-GT"),
            np.nan,
            "GWh",
        )
    )
    table = pd.DataFrame(rows, columns=BACKTEST_COLUMNS[:6])
    if monthly is not None and len(monthly):
        prices = pd.DataFrame(
            {
                "check": "monthly_price",
                "region": monthly.country,
                "carrier": "",
                "modelled": monthly.price,
                "observed": np.nan,
                "unit": "USD/MWh",
                "month": monthly.month,
            }
        )
        table = pd.concat([table, prices], ignore_index=True)
    return table


def share_chart(table: pd.DataFrame, path: Path, title: str) -> Path:
    """Write a chart of modelled against observed generation shares (PNG), one panel per country."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulator.network.carriers import CARRIER_COLORS

    shares = table[table.check == "generation_share"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), sharey=True)
    for ax, country in zip(axes.ravel(), COUNTRIES, strict=True):
        data = shares[shares.region == country].set_index("carrier").reindex(list(CARRIERS))
        x = np.arange(len(CARRIERS))
        ax.bar(x - 0.2, data.observed, 0.4, color="#BBBBBB", edgecolor="black", hatch="//", label="observed")
        ax.bar(
            x + 0.2,
            data.modelled,
            0.4,
            color=[CARRIER_COLORS[c] for c in CARRIERS],
            edgecolor="black",
            label="modelled",
        )
        ax.set_title(country)
        ax.set_xticks(x, list(CARRIERS), rotation=60, fontsize=8)
        ax.set_ylabel("share of generation (%)")
    axes[0, 0].legend(loc="upper right", fontsize=8)
    fig.suptitle(title)
    fig.text(0.01, 0.01, "Source: model run; observed: OLADE sieLAC 2022 (grids/history/generation.csv)", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120))
    finally:
        plt.close(fig)
    return path


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def price_chart(monthly: pd.DataFrame, table: pd.DataFrame, path: Path, title: str) -> Path:
    """Write a chart of modelled monthly load-weighted prices with the observed months (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    observed = table[table.check == "monthly_price"].dropna(subset=["observed"])
    countries = [c for c in COUNTRIES if c in set(observed.region)] or ["SV"]
    fig, axes = plt.subplots(1, len(countries), figsize=(5.5 * len(countries), 4), squeeze=False)
    for ax, country in zip(axes.ravel(), countries, strict=True):
        mine = monthly[monthly.country == country].sort_values("month")
        ax.plot(mine.month, mine.price, marker="o", color="#1f77b4", label="modelled (load-weighted)")
        obs = observed[observed.region == country]
        ax.scatter(obs.month, obs.observed, color="black", marker="s", zorder=3, label="observed")
        for row in obs.itertuples():
            ax.annotate(
                f"{row.error:+.0f} %", (row.month, row.observed), textcoords="offset points", xytext=(4, 6), fontsize=8
            )
        ax.set_xticks(range(1, 13), MONTHS, fontsize=8)
        ax.set_ylabel("price (USD/MWh)")
        ax.set_title(country)
        top = max([float(mine.price.max()), *obs.observed.astype(float)]) if len(mine) else 1.0
        ax.set_ylim(0, 1.15 * top)
    axes[0, 0].legend(loc="lower left", fontsize=8)
    fig.suptitle(title)
    fig.text(
        0.01, 0.01, "Source: model run; observed: UT (SV), AMM (GT) via press (grids/history/prices.csv)", fontsize=8
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120))
    finally:
        plt.close(fig)
    return path
