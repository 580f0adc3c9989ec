"""The terminal summary of a run: what an analyst looks at first."""

from __future__ import annotations

import pandas as pd
import pypsa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulator import CARRIERS, COUNTRIES


def _value(kpis: pd.DataFrame, metric: str, region: str, carrier: str = "") -> float:
    hit = kpis[(kpis.metric == metric) & (kpis.region == region) & (kpis.carrier.fillna("") == carrier)]
    return float(hit.value.iloc[0]) if len(hit) else float("nan")


def shortfall_by_country(n: pypsa.Network) -> pd.DataFrame:
    """Return unserved energy (GWh), its peak (MW) and hours with some, per country that sheds load.

    Load shedding is a generator per country (``technology`` ``load_shedding``) priced at
    the value of lost load: any output is demand that the fleet, storage and imports could
    not meet in that hour.
    """
    gens = n.generators[n.generators.technology == "load_shedding"]
    if gens.empty:
        return pd.DataFrame(columns=["unserved_gwh", "peak_mw", "hours"])
    w = n.snapshot_weightings.generators
    shed = n.generators_t.p.reindex(columns=gens.index, fill_value=0.0)
    table = pd.DataFrame(
        {
            "unserved_gwh": shed.mul(w, axis=0).sum() / 1e3,
            "peak_mw": shed.max(),
            "hours": (shed > SHED_TOLERANCE_MW).mul(w, axis=0).sum(),
        }
    )
    table.index = gens.country.reindex(table.index)
    return table[table.peak_mw > SHED_TOLERANCE_MW]


SHED_TOLERANCE_MW = 1e-3
"""Shedding below this (MW) is solver noise, not a shortfall."""


def print_shortfall(n: pypsa.Network, console: Console) -> None:
    """Say whether committed capacity is short, by how much and where (nothing if no load is shed)."""
    table = shortfall_by_country(n)
    if table.empty:
        return
    parts = ", ".join(
        f"{country} {row.unserved_gwh:,.1f} GWh (peak {row.peak_mw:,.0f} MW, {row.hours:,.0f} h)"
        for country, row in table.iterrows()
    )
    console.print(
        f"[bold]Capacity short[/]: load shed in {len(table)} countries, {table.unserved_gwh.sum():,.1f} GWh in all "
        f"(peak of the sum {_peak_of_sum(n):,.0f} MW): {escape(parts)}. The fleet, storage and imports cannot meet "
        "demand in these hours; what capacity closes the gap is the capacity-expansion question."
    )


def _peak_of_sum(n: pypsa.Network) -> float:
    gens = n.generators.index[n.generators.technology == "load_shedding"]
    return float(n.generators_t.p.reindex(columns=gens, fill_value=0.0).sum(axis=1).max()) if len(gens) else 0.0


def print_summary(kpis: pd.DataFrame, console: Console, title: str, network: pypsa.Network | None = None) -> None:
    """Print prices, generation mix, trade by border, Mexico imports and unserved energy.

    With the solved ``network``, a run that sheds load also says by how much and where
    (unserved GWh, peak MW and hours by country, :func:`print_shortfall`).
    """
    countries = [c for c in COUNTRIES if c in set(kpis.region)]
    prices = Table(
        title=f"{escape(title)}: prices, demand, trade and emissions by country",
        title_justify="left",
        caption="Price lw = load-weighted; net exports count trade with the other SIEPAC countries only",
        caption_justify="left",
    )
    for column in (
        "Country",
        "Price lw\nUSD/MWh",
        "Price mean\nUSD/MWh",
        "Demand\nGWh",
        "Net exports\nGWh",
        "Imports\nGWh",
        "Unserved\nGWh",
        "CO2\nMt",
    ):
        prices.add_column(column, justify="right" if column != "Country" else "left")
    for c in countries:
        prices.add_row(
            c,
            f"{_value(kpis, 'price_load_weighted', c):.1f}",
            f"{_value(kpis, 'price_mean', c):.1f}",
            f"{_value(kpis, 'demand', c):,.0f}",
            f"{_value(kpis, 'net_exports', c):+,.0f}",
            f"{_value(kpis, 'imports', c):,.0f}",
            f"{_value(kpis, 'unserved_energy', c):,.1f}",
            f"{_value(kpis, 'co2', c):.2f}",
        )
    console.print(prices)

    mix = Table(title="Generation mix (% of each country's generation)", title_justify="left")
    mix.add_column("Country")
    generated = kpis[(kpis.metric == "generation") & (kpis.value.abs() > 0)]
    # batteries only when a run has them (they are new capacity of an expansion run)
    carriers = [k for k in CARRIERS if k != "battery" or k in set(generated.carrier)]
    for carrier in carriers:
        mix.add_column(carrier, justify="right")
    mix.add_column("Total (GWh)", justify="right")
    for c in countries:
        gen = {carrier: _value(kpis, "generation", c, carrier) for carrier in carriers}
        total = sum(gen.values())
        mix.add_row(c, *(f"{100 * gen[k] / total:.0f}" if total else "-" for k in carriers), f"{total:,.0f}")
    console.print(mix)

    trade = Table(title="Trade by border (corridor A-B: forward = A to B)", title_justify="left")
    for column in ("Corridor", "Forward (GWh)", "Backward (GWh)", "Hours at limit"):
        trade.add_column(column, justify="right" if column != "Corridor" else "left")
    corridors = kpis[kpis.metric == "flow_forward"].region.tolist()
    for corridor in corridors:
        trade.add_row(
            escape(str(corridor)),
            f"{_value(kpis, 'flow_forward', corridor):,.0f}",
            f"{_value(kpis, 'flow_backward', corridor):,.0f}",
            f"{_value(kpis, 'hours_at_limit', corridor):,.0f}",
        )
    console.print(trade)
    mx_in, mx_out = _value(kpis, "flow_forward", "MX-GT"), _value(kpis, "flow_backward", "MX-GT")
    if mx_in == mx_in:  # not NaN: Mexico is in the run
        console.print(
            f"Mexico -> Guatemala: {mx_in:,.0f} GWh imported, {mx_out:,.0f} GWh exported back; Mexican price {_value(kpis, 'price_mean', 'MX'):.1f} USD/MWh"
        )
    co_out, co_in = _value(kpis, "flow_forward", "PA-CO"), _value(kpis, "flow_backward", "PA-CO")
    if co_in == co_in:  # not NaN: the Colombia link is in the run
        console.print(
            f"Colombia -> Panama: {co_in:,.0f} GWh imported, {co_out:,.0f} GWh exported; Colombian price {_value(kpis, 'price_mean', 'CO'):.1f} USD/MWh"
        )
    gas_summary(kpis, console)
    expansion_summary(kpis, console)
    console.print(
        f"System operating cost: {_value(kpis, 'system_cost', 'ALL'):,.1f} MUSD; unserved energy {kpis[kpis.metric == 'unserved_energy'].value.sum():,.1f} GWh"
    )
    if network is not None:
        print_shortfall(network, console)


BUILT_MW = 0.5
"""New capacity below this (MW) is not listed in the summary."""


def expansion_summary(kpis: pd.DataFrame, console: Console) -> None:
    """Print what the expansion built (MW by country and technology), its annualised investment and
    the total cost, when the run has capacity decisions."""
    investment = kpis[(kpis.metric == "investment_cost") & (kpis.region == "ALL")]
    if investment.empty:
        return
    built = kpis[(kpis.metric == "capacity_new") & (kpis.value >= BUILT_MW)]
    if built.empty:
        console.print("New capacity: none built (the existing fleet, storage and imports are the least-cost system)")
    else:
        technologies = list(dict.fromkeys(built.carrier))
        table = Table(title="New capacity built (MW)", title_justify="left")
        table.add_column("Country")
        for technology in technologies:
            table.add_column(escape(str(technology)), justify="right")
        table.add_column("Total", justify="right")
        table.add_column("Investment\nMUSD/yr", justify="right")
        for c in [c for c in COUNTRIES if c in set(built.region) | set(kpis.region)]:
            mine = built[built.region == c].set_index("carrier").value
            if mine.empty:
                continue
            table.add_row(
                c,
                *(f"{mine.get(t, 0.0):,.0f}" for t in technologies),
                f"{mine.sum():,.0f}",
                f"{_value(kpis, 'investment_cost', c):,.1f}",
            )
        console.print(table)
    console.print(
        f"Investment (annualised capital and fixed O&M): {investment.value.iloc[0]:,.1f} MUSD/yr; "
        f"total cost (operating + investment) {_value(kpis, 'total_cost', 'ALL'):,.1f} MUSD"
    )


def gas_summary(kpis: pd.DataFrame, console: Console) -> None:
    """Print the anchor plant's output, the pipeline's utilisation against its break-even, and
    the price changes against the reference, when the run has them."""
    anchor = kpis[kpis.metric == "anchor_generation"]
    if len(anchor):
        country = anchor.region.iloc[0]
        console.print(
            f"Anchor plant ({escape(str(country))}): {_value(kpis, 'anchor_capacity', country, 'gas'):,.0f} MW, "
            f"{anchor.value.iloc[0]:,.0f} GWh, capacity factor {_value(kpis, 'anchor_capacity_factor', country, 'gas'):.0f} %"
        )
    utilisation = kpis[kpis.metric == "pipeline_utilisation"]
    break_even = kpis[kpis.metric == "pipeline_break_even_utilisation"]
    if len(utilisation) and len(break_even):
        used, needed = float(utilisation.value.max()), float(break_even.value.iloc[0])
        verdict = "above" if used >= needed else "below"
        console.print(
            f"Pipeline ({escape(str(break_even.region.iloc[0]))}): mean utilisation {used:.0f} % of capacity, {verdict} its "
            f"break-even of {needed:.0f} % (where its tariff makes pipeline gas as dear as LNG)"
        )
    changes = kpis[kpis.metric == "price_change"]
    if len(changes):
        text = escape(", ".join(f"{r.region} {r.value:+.1f}" for r in changes.itertuples()))
        console.print(f"Price change against the reference (USD/MWh, load-weighted): {text}")
