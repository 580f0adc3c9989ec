# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The second SIEPAC circuit: who gains, who pays?
#
# **The question.** The SIEPAC towers already carry a second 230 kV circuit that has never been
# strung. Stringing it everywhere would roughly double the transfer capacity between
# countries; in 2025 a first tranche was financed, 301.8 km between Honduras, Nicaragua and
# Costa Rica. Does either lower electricity prices, in a wet year (2022), in a drought year
# (2023) and in 2030, when the rest of the circuit could be strung? Which borders stop
# congesting, how much congestion rent is left on each corridor, and who gains and who pays:
# consumers, producers or the owners of the lines?
#
# Nine runs: for each year, today's grid (`base_2022`, `base_2023`, `base_2030`), the full second
# circuit (`second_circuit.yaml`: every segment, border limits +300 MW) and the HN–NI–CR tranche
# (`second_circuit_hn_ni_cr.yaml`: +300 MW on HN–NI and NI–CR). The shipped files are 2022
# cases; the 2023 cases are the same files with `year` and `hydrology` set to 2023, the 2030
# cases with `year: 2030` and the wet 2022 weather (`hydrology: wet`). In 2030 the HN–NI–CR
# tranche is committed, so it is already in `base_2030`: that case measures nothing new and
# says so.
#
# **Span.** Every run covers the full year unless `SIEPAC_NOTEBOOK_DAYS` is set: then each run
# covers that many days from 7 March (dry season). The cell below says which span this copy used.

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from simulator import COUNTRIES
from simulator.charts import make_charts
from simulator.compare import compare_runs
from simulator.notebooks import NotebookSetup
from simulator.results.runs import Run, load_runs
from simulator.run import run_scenario
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.load import merge

SETUP = NotebookSetup.from_environment("02_second_circuit")  # the span: SIEPAC_NOTEBOOK_DAYS, unset for the full year
ROOT, SCENARIOS, DAYS, OUT, CHARTS = SETUP.root, SETUP.scenarios, SETUP.days, SETUP.out, SETUP.charts
SPAN, REDUCED = SETUP.span, SETUP.reduced
with_span, show = SETUP.with_span, SETUP.show

display(Markdown(SETUP.banner()))

# %% [markdown]
# ## 1. Six runs
#
# `in_year` turns a shipped 2022 file into the same case in another year (data and weather):
# the scenario is a pydantic model, so its resolved keys can be merged and validated again,
# as `extends` would.

# %%
BASE = {2022: "base_2022.yaml", 2023: "base_2023.yaml", 2030: "base_2030.yaml"}
CASES = {"full second circuit": "second_circuit.yaml", "HN–NI–CR tranche": "second_circuit_hn_ni_cr.yaml"}


def in_year(file: str, year: int) -> Scenario:
    """Return a shipped scenario moved to ``year`` (demand, fleet, fuels and weather), named ``<name>_<year>``.

    A study year without weather of its own (2030) takes the wet 2022 weather, as ``base_2030`` does.
    """
    scenario = load_scenario(SCENARIOS / file)
    if scenario.year == year:
        return scenario
    hydrology = year if year in (2022, 2023) else "wet"
    changes = {"name": f"{scenario.name}_{year}", "year": year, "hydrology": hydrology}
    return Scenario.model_validate(merge(scenario.model_dump(), changes))


paths: dict[tuple[int, str], Path] = {}
for year, base_file in BASE.items():
    for case, file in {"today's grid": base_file, **CASES}.items():
        scenario = with_span(in_year(file, year))
        result = run_scenario(scenario, OUT)
        paths[year, case] = result.path
        print(
            f"{year} {case:>20}: {scenario.name}, {result.report.status} in {result.manifest['timings_s']['solve']:.1f} s"
        )

# %% [markdown]
# ## 2. Price change by country
#
# `compare_runs` (the table of `siepac compare`) measures every figure of a run against a
# reference run: here each year's base case.

# %%
tables = []
for year in BASE:
    runs = load_runs([paths[year, "today's grid"], *(paths[year, case] for case in CASES)])
    table = compare_runs(runs, runs[0])
    table["case"] = table.scenario.map({run.label: case for run, case in zip(runs[1:], CASES, strict=True)})
    tables.append(table.assign(year=year))
changes = pd.concat(tables, ignore_index=True)


def by_region(metric: str, column: str = "change") -> pd.DataFrame:
    """Return one compared metric as a table: rows (year, case), columns region."""
    rows = changes[changes.metric == metric]
    return rows.pivot_table(index=["year", "case"], columns="region", values=column, sort=False)


price_change = by_region("price_load_weighted")[list(COUNTRIES)]
display(Markdown("**Change in load-weighted price (USD/MWh)**"), price_change.round(2))
display(
    Markdown("**Load-weighted price before (USD/MWh)**"), by_region("price_load_weighted", "reference_value").round(1)
)

# %%
for year in BASE:
    runs = [paths[year, "today's grid"], *(paths[year, case] for case in CASES)]
    charts = make_charts("prices", runs)
    show(charts[1], f"_{year}")  # charts[0] is the duration curves, charts[1] the change bars

# %% [markdown]
# ## 3. Congestion: hours at the limit and congestion rent by corridor
#
# A corridor is *at its limit* in an hour when a line crossing it, or a border limit it is part
# of, is at its bound. The **congestion rent** of a line is its flow times the price difference
# between its ends, summed over the hours (`statistics.revenue` of the lines); it includes the
# 10 USD/MWh hurdle on SIEPAC borders.

# %%
hours_before = by_region("hours_at_limit", "reference_value")
hours_after = by_region("hours_at_limit", "value")
corridors = list(hours_before.columns)
display(Markdown("**Hours at the limit, today's grid → with the case**"))
display(hours_before.astype(int).astype(str) + " → " + hours_after.astype(int).astype(str))
rent_before = by_region("congestion_rent", "reference_value")
rent_after = by_region("congestion_rent", "value")
display(Markdown("**Congestion rent (MUSD), today's grid**"), rent_before.round(2))
display(Markdown("**Congestion rent (MUSD), with the case**"), rent_after.round(2))

# %%
for year in BASE:
    charts = make_charts("flows", [paths[year, "today's grid"], paths[year, "full second circuit"]])
    show(charts[0], f"_{year}")

# %% [markdown]
# ## 4. Who gains and who pays
#
# - **Consumers** pay the load-weighted price times their demand (`consumer_cost`): a fall is a
#   gain for them.
# - **Producers** (every generator and hydro plant of a country, and Mexico's sellers) earn the
#   hourly price of their bus for their output: `statistics.revenue` grouped by the `country`
#   of each plant.
# - **Line owners** collect the congestion rent (section 3, summed over the corridors).
# - **The system cost** is the cost of running the region's plants and buying Mexican energy.
#   More transfer capacity cannot raise it in a plain least-cost dispatch, but today's rule that
#   Mexican energy stays in Guatemala is solved by a two-pass heuristic (README, *How the model
#   works*), so a small rise is possible.
#
# Consumers' payments and producers' revenues need not balance: the difference is mostly the
# rent of the lines (national ones included), which contains the 10 USD/MWh hurdle.


# %%
def producer_revenue(run: Run) -> pd.Series:
    """Return the producers' market revenue (MUSD) by country: output times the hourly price of their bus."""
    revenue = run.network.statistics.revenue(components=["Generator", "StorageUnit"], groupby="country")
    return revenue.groupby(level="country").sum() / 1e6


rows = []
for (year, case), path in paths.items():
    if case == "today's grid":
        continue
    before, after = load_runs([paths[year, "today's grid"], path])
    producers = producer_revenue(after) - producer_revenue(before)
    mine = changes[(changes.year == year) & (changes.case == case)].set_index(["metric", "region"]).change
    for country in (*COUNTRIES, "MX"):
        rows.append(
            {
                "year": year,
                "case": case,
                "country": country,
                "consumers pay (MUSD)": mine.get(("consumer_cost", country), float("nan")),
                "producers earn (MUSD)": producers.get(country, 0.0),
            }
        )
gains = pd.DataFrame(rows).set_index(["year", "case", "country"]).sort_index()
order = list(changes[["year", "case"]].drop_duplicates().itertuples(index=False, name=None))
display(gains.unstack("country").reindex(order).reindex(columns=[*COUNTRIES, "MX"], level="country").round(2))
totals = pd.DataFrame(
    {
        "consumers pay (MUSD)": gains["consumers pay (MUSD)"].groupby(level=["year", "case"], sort=False).sum(),
        "producers earn (MUSD)": gains["producers earn (MUSD)"].groupby(level=["year", "case"], sort=False).sum(),
        "line owners collect (MUSD)": by_region("congestion_rent").sum(axis=1),
        "system cost (MUSD)": by_region("system_cost")["ALL"],
    }
).reindex(order)
display(Markdown("**Changes for the whole region (Mexico's sellers included in producers)**"), totals.round(2))

# %%
for year in BASE:
    charts = make_charts("map", [paths[year, "today's grid"], paths[year, "full second circuit"]])
    show(charts[0])

# %% [markdown]
# ## The answer


# %%
def musd(value: float) -> str:
    """Format a change in MUSD with two decimals below 10, one above."""
    return f"{value:+,.2f} MUSD" if abs(value) < 10 else f"{value:+,.1f} MUSD"


def describe(year: int, case: str) -> str:
    """Return one sentence on a case: price changes, the corridor that eases most, who gains and pays."""
    prices = price_change.loc[(year, case)]
    eased = (hours_after.loc[(year, case)] - hours_before.loc[(year, case)]).idxmin()
    pay = gains.loc[(year, case)]
    consumers_gain = pay["consumers pay (MUSD)"].idxmin()
    consumers_lose = pay["consumers pay (MUSD)"].idxmax()
    total = totals.loc[(year, case)]
    return (
        f"**{case[0].upper() + case[1:]}, {year}**: prices change from {prices.min():+.1f} USD/MWh ({prices.idxmin()}) to "
        f"{prices.max():+.1f} USD/MWh ({prices.idxmax()}); {eased} is at its limit "
        f"{hours_before.loc[(year, case), eased]:,.0f} → {hours_after.loc[(year, case), eased]:,.0f} hours. "
        f"Consumers in {consumers_gain} gain most (they pay {musd(pay.loc[consumers_gain, 'consumers pay (MUSD)'])}), "
        f"consumers in {consumers_lose} lose most ({musd(pay.loc[consumers_lose, 'consumers pay (MUSD)'])}); "
        f"all consumers pay {musd(total['consumers pay (MUSD)'])}, producers earn {musd(total['producers earn (MUSD)'])}, "
        f"line owners collect {musd(total['line owners collect (MUSD)'])}, and the system cost changes by "
        f"{musd(total['system cost (MUSD)'])}."
    )


display(
    Markdown(
        f"*Runs over {SPAN} of {', '.join(map(str, BASE))}{REDUCED}.* Against today's grid of each year "
        "(a positive change is a rise):\n\n" + "\n".join(f"- {describe(year, case)}" for year in BASE for case in CASES)
    )
)
