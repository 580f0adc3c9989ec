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
# # Pipeline routes: Tapachula, Chiapa de Corzo or LNG for an anchor plant in Guatemala?
#
# **The question.** The Prosperity Pipeline would bring Mexican gas to Guatemala, but it has not
# been built because there is no gas demand; a 500 MW gas-fired *anchor* power plant at
# Escuintla has been proposed as its customer. Which route is cheaper, the coastal one through
# Tapachula or the highland one through Chiapa de Corzo, and how do both compare with LNG by
# ship? What does the anchor plant do to electricity prices, to oil and coal burn and to CO2 in
# each country, and is the pipeline used enough to pay for itself: where does the "social
# pipeline" break even?
#
# Part 1 needs no solve: the route table and map (`simulator.routes`). Part 2 runs the 2022
# base case and the three anchor scenarios (`anchor_tapachula`, `anchor_chiapa_de_corzo`,
# `anchor_lng`). Part 3 asks the same of 2030, the earliest year a pipeline and an anchor
# plant could run (`base_2030` and the three `anchor_*_2030` scenarios, wet 2022 weather).
#
# **Span.** Every run covers the full year unless `SIEPAC_NOTEBOOK_DAYS` is set: then each run
# covers that many days from 7 March (dry season). The cell below says which span this copy used.
# Route lengths, capex and tariffs do not depend on the span.

# %%
import pandas as pd
from IPython.display import Markdown, display

from simulator import COUNTRIES
from simulator.charts import ChartOptions, make_charts
from simulator.compare import compare_runs
from simulator.data import load_data
from simulator.notebooks import NotebookSetup
from simulator.results.runs import load_runs
from simulator.routes import load_gas_data, mexican_gas_price_usd_per_mmbtu, route_table, tariff_usd_per_mmbtu
from simulator.run import run_scenario
from simulator.scenario import load_scenario
from simulator.units import MWH_PER_MMBTU

SETUP = NotebookSetup.from_environment("03_pipeline_routes")  # the span: SIEPAC_NOTEBOOK_DAYS, unset for the full year
ROOT, SCENARIOS, DAYS, OUT, CHARTS = SETUP.root, SETUP.scenarios, SETUP.days, SETUP.out, SETUP.charts
SPAN, REDUCED = SETUP.span, SETUP.reduced
with_span, show = SETUP.with_span, SETUP.show

display(Markdown(SETUP.banner()))

# %% [markdown]
# ## 1. The routes: length by country, capex and tariff
#
# `route_table` (the `siepac routes` command) measures each route geodesically along its
# waypoints, splits it by country with the country outlines, takes the published capex where
# there is one (else the 2020 plan's unit cost, +25 % in the highlands), and computes the
# tariff that recovers the capex (8 % over 30 years, plus 1.5 % O&M a year) at 50 % and 90 %
# utilisation. Gas prices are those of 2022.

# %%
YEAR = 2022
data = load_data()
gas = load_gas_data(data.root)
HHV = gas.parameter("gas_hhv_mmbtu_per_mcf")
henry_hub = data.fuel_price_usd_per_mmbtu("henry_hub", YEAR)
lng_price = data.fuel_price_usd_per_mmbtu("lng", YEAR)
commodity = mexican_gas_price_usd_per_mmbtu(gas, henry_hub)
routes = route_table(gas, henry_hub, lng_price)
print(
    f"Henry Hub {henry_hub:.2f} USD/MMBtu in {YEAR}; gas entering a route in Mexico {commodity:.2f}; LNG {lng_price:.2f}"
)
shown = {
    "length_mx_km": "MX km",
    "length_gt_km": "GT km",
    "length_km": "km",
    "diameter_in": "inch",
    "capacity_mmcfd": "MMcfd",
    "capex_musd": "capex MUSD",
    "annual_cost_musd": "annual cost MUSD",
    "tariff_50pct_usd_per_mmbtu": "tariff @50% USD/MMBtu",
    "tariff_90pct_usd_per_mmbtu": "tariff @90% USD/MMBtu",
    "delivered_usd_per_mmbtu": "delivered USD/MMBtu",
}
display(routes[list(shown)].rename(columns=shown).round(2))

# %%
for chart in make_charts("routes", [], ChartOptions(year=YEAR)):
    show(chart)

# %% [markdown]
# ## 2. The anchor plant on each route
#
# The three anchor scenarios name `base_2022` as their `reference`, so `run_scenario` would run
# a base case for each of them. With a reduced span each would get its own copy
# (`base_2022--for-<scenario>`), so here the base case is run once and the anchor scenarios
# are compared with it through `compare_runs` (the table of `siepac compare`) instead.
#
# In the dispatch the plant pays the commodity price of its gas: Henry Hub + basis + Mexican
# transport for both pipeline routes, the LNG price for LNG. The pipeline's capital is a fixed
# tariff, outside the dispatch, so the two routes run the plant alike; they differ in what the
# gas costs once the tariff is paid (below).

# %%
ROUTES = {"tapachula": "Tapachula", "chiapa_de_corzo": "Chiapa de Corzo", "lng": "LNG"}
base = run_scenario(with_span(load_scenario(SCENARIOS / "base_2022.yaml")), OUT)
results = {}
for route in ROUTES:
    scenario = with_span(load_scenario(SCENARIOS / f"anchor_{route}.yaml")).model_copy(update={"reference": None})
    results[route] = run_scenario(scenario, OUT)
    print(f"{scenario.name}: {results[route].report.status} in {results[route].manifest['timings_s']['solve']:.1f} s")
runs = load_runs([base.path, *(r.path for r in results.values())])
changes = compare_runs(runs, runs[0])
changes["route"] = changes.scenario.map({r.path.name: route for route, r in results.items()})


def by_route(metric: str, column: str = "change", carrier: str = "") -> pd.DataFrame:
    """Return one compared metric as a table: rows route, columns region."""
    rows = changes[(changes.metric == metric) & (changes.carrier.fillna("") == carrier)]
    return rows.pivot_table(index="route", columns="region", values=column, sort=False)


price_change = by_route("price_load_weighted")[list(COUNTRIES)]
display(Markdown("**Change in load-weighted price against base_2022 (USD/MWh)**"), price_change.round(2))

# %%
show(make_charts("prices", [run.path for run in runs])[1])

# %% [markdown]
# ### Oil and coal burn, CO2
#
# Generation by carrier comes from each run's KPIs; the anchor plant's output is the `gas`
# generation in Guatemala.

# %%
generation = changes[changes.metric == "generation"]
fuel = generation.pivot_table(index=["route", "region"], columns="carrier", values="change", sort=False)
fuel = fuel[["oil", "coal", "gas"]].unstack("region").fillna(0.0)
oil_coal = pd.DataFrame(
    {
        "oil GWh": fuel["oil"].sum(axis=1),
        "coal GWh": fuel["coal"].sum(axis=1),
        "gas GWh": fuel["gas"].sum(axis=1),
    }
)
co2 = by_route("co2")[list(COUNTRIES)]
oil_coal["CO2 Mt"] = co2.sum(axis=1)
display(Markdown("**Change in oil-, coal- and gas-fired generation by country (GWh)**"), fuel.round(1))
display(Markdown("**Change in CO2 by country (Mt)**"), co2.round(4))
display(Markdown("**Whole region**"), oil_coal.round(3))

# %%
start = f"{YEAR}-03-07"
for chart in make_charts("dispatch", [base.path, results["tapachula"].path], ChartOptions(country="GT", start=start)):
    show(chart)

# %% [markdown]
# ### Pipeline utilisation and break-even
#
# The pipeline's capital is recovered by a fixed tariff. It *breaks even* against LNG when the
# tariff at its utilisation is no more than the margin between the LNG price and the price of
# Mexican gas (Henry Hub + basis + Mexican transport): `pipeline_break_even_utilisation` in the
# KPIs. The utilisation is the mean throughput over the span divided by the capacity of the
# narrowest segment. The anchor plant alone fills the pipeline in proportion to its size, so the
# size at which it would reach break-even (at the same capacity factor) is 500 MW × break-even
# ÷ utilisation. The saving against LNG is the gas the plant burns times the difference between
# the LNG price and the delivered cost of pipeline gas at the utilisation reached (as if that
# utilisation held all year, so that the tariff recovers the pipeline's annual cost).


# %%
def kpi(route: str, metric: str, region: str | None = None) -> pd.Series:
    """Return one KPI of an anchor run by region."""
    table = results[route].kpis
    rows = table[table.metric == metric]
    if region is not None:
        rows = rows[rows.region == region]
    return rows.set_index("region").value


economics = []
for route, label in ROUTES.items():
    anchor_mw = float(kpi(route, "anchor_capacity").iloc[0])
    anchor_gwh = float(kpi(route, "anchor_generation").iloc[0])
    efficiency = float(results[route].network.links.at["anchor plant", "efficiency"])
    gas_mmbtu = anchor_gwh * 1e3 / efficiency / MWH_PER_MMBTU
    row = {
        "route": label,
        "anchor MW": anchor_mw,
        "anchor GWh": anchor_gwh,
        "anchor capacity factor %": float(kpi(route, "anchor_capacity_factor").iloc[0]),
        "gas burned million MMBtu": gas_mmbtu / 1e6,
    }
    if route != "lng":
        utilisation = float(kpi(route, "pipeline_utilisation").max())
        break_even = float(kpi(route, "pipeline_break_even_utilisation").iloc[0])
        spec = routes.loc[route]
        tariff = tariff_usd_per_mmbtu(spec.annual_cost_musd, spec.capacity_mmcfd, utilisation / 100, HHV)
        row |= {
            "anchor MW that fills the pipeline": float(routes.loc[route, "capacity_mw"]) * efficiency,
            "utilisation %": utilisation,
            "break-even %": break_even,
            "tariff at utilisation USD/MMBtu": tariff,
            "delivered USD/MMBtu": commodity + tariff,
            "anchor MW to break even": anchor_mw * break_even / utilisation if utilisation > 0 else float("inf"),
            "saving against LNG MUSD": gas_mmbtu * (lng_price - commodity - tariff) / 1e6,
        }
    economics.append(row)
economics_table = pd.DataFrame(economics).set_index("route")
display(economics_table.round(2))

# %%
for chart in make_charts("gas", [results["tapachula"].path, results["chiapa_de_corzo"].path]):
    show(chart)

# %% [markdown]
# ## 3. The same question in 2030
#
# By 2030 Guatemala has PEG-4 and PEG-5 (about half gas) and the region more solar; the
# anchor plant arrives in a different system. The 2030 scenarios pay 2030 fuel prices
# (`grids/outlook/fuel_prices.csv`, estimates).

# %%
base_2030 = run_scenario(with_span(load_scenario(SCENARIOS / "base_2030.yaml")), OUT)
results_2030 = {}
for route in ROUTES:
    file = SCENARIOS / f"anchor_{route}_2030.yaml"
    results_2030[route] = run_scenario(with_span(load_scenario(file)).model_copy(update={"reference": None}), OUT)
runs_2030 = load_runs([base_2030.path, *(r.path for r in results_2030.values())])
changes_2030 = compare_runs(runs_2030, runs_2030[0])
changes_2030["route"] = changes_2030.scenario.map({r.path.name: route for route, r in results_2030.items()})
prices_2030 = changes_2030[changes_2030.metric == "price_load_weighted"].pivot_table(
    index="route", columns="region", values="change", sort=False
)[list(COUNTRIES)]
display(Markdown("**Change in load-weighted price against base_2030 (USD/MWh)**"), prices_2030.round(2))
capacity_factor_2030 = {
    route: float(r.kpis[r.kpis.metric == "anchor_capacity_factor"].value.iloc[0]) for route, r in results_2030.items()
}
display(Markdown("**Anchor capacity factor in 2030 (%)**"), pd.Series(capacity_factor_2030).round(1))

# %% [markdown]
# ## The answer

# %%
tap, chi = routes.loc["tapachula"], routes.loc["chiapa_de_corzo"]
e_tap, e_chi = economics_table.loc["Tapachula"], economics_table.loc["Chiapa de Corzo"]
gt = price_change["GT"]
others = price_change.loc["tapachula"].drop("GT")
elsewhere = others.abs().idxmax()
region = oil_coal.loc["tapachula"]
display(
    Markdown(
        f"""*Runs over {SPAN} of {YEAR}{REDUCED}; route lengths, capex and tariffs do not depend on the span.*

**Routes.** Tapachula is {tap.length_km:,.0f} km long ({tap.length_mx_km:,.0f} km in Mexico,
{tap.length_gt_km:,.0f} km in Guatemala) and costs {tap.capex_musd:,.0f} MUSD; Chiapa de Corzo is
{chi.length_km:,.0f} km ({chi.length_mx_km:,.0f} + {chi.length_gt_km:,.0f} km) through the highlands and costs
{chi.capex_musd:,.0f} MUSD. At 90 % utilisation their tariffs are {tap.tariff_90pct_usd_per_mmbtu:.2f} and
{chi.tariff_90pct_usd_per_mmbtu:.2f} USD/MMBtu, so gas delivered at Escuintla costs
{tap.delivered_usd_per_mmbtu:.2f} and {chi.delivered_usd_per_mmbtu:.2f} USD/MMBtu against
{lng_price:.2f} USD/MMBtu for LNG ({YEAR} prices).

**The anchor plant** (500 MW) changes Guatemala's load-weighted price by
{gt["tapachula"]:+.1f} USD/MWh on the Tapachula route, {gt["chiapa_de_corzo"]:+.1f} on Chiapa de Corzo and
{gt["lng"]:+.1f} with LNG; the largest change elsewhere with Tapachula gas is in
{elsewhere} ({others[elsewhere]:+.1f} USD/MWh).
With Tapachula gas the region's oil-fired generation changes by {region["oil GWh"]:+,.1f} GWh, its coal-fired
generation by {region["coal GWh"]:+,.1f} GWh and its CO2 by {region["CO2 Mt"]:+.3f} Mt; the plant runs at a capacity factor of
{e_tap["anchor capacity factor %"]:.0f} % (LNG: {economics_table.loc["LNG", "anchor capacity factor %"]:.0f} %).

**Break-even.** The Tapachula pipeline is used at {e_tap["utilisation %"]:.0f} % of its capacity against a
break-even of {e_tap["break-even %"]:.0f} % (Chiapa de Corzo: {e_chi["utilisation %"]:.0f} % against
{e_chi["break-even %"]:.0f} %). At that use its tariff is {e_tap["tariff at utilisation USD/MMBtu"]:.2f} USD/MMBtu
and pipeline gas saves {e_tap["saving against LNG MUSD"]:,.1f} MUSD against LNG over the span
({e_chi["saving against LNG MUSD"]:,.1f} MUSD on Chiapa de Corzo);
an anchor of about {e_tap["anchor MW to break even"]:,.0f} MW running the same hours would be needed to reach
break-even on the Tapachula route ({e_chi["anchor MW to break even"]:,.0f} MW on Chiapa de Corzo); a full pipeline
feeds {e_tap["anchor MW that fills the pipeline"]:,.0f} MW.
Notebook 04 sweeps the anchor size and the Henry Hub price to test this.

**In 2030** (same span, wet weather) the anchor plant changes Guatemala's price by
{prices_2030.loc["tapachula", "GT"]:+.1f} USD/MWh on the Tapachula route, {prices_2030.loc["chiapa_de_corzo", "GT"]:+.1f}
on Chiapa de Corzo and {prices_2030.loc["lng", "GT"]:+.1f} with LNG, and runs at a capacity factor of
{capacity_factor_2030["tapachula"]:.0f} % on Tapachula gas (LNG: {capacity_factor_2030["lng"]:.0f} %), against
{e_tap["anchor capacity factor %"]:.0f} % in {YEAR}.
"""
    )
)
