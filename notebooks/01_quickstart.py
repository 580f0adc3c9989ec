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
# # Quick start: what does electricity cost in Central America, and which way does it flow?
#
# **The question.** In 2022, what did each of the six SIEPAC countries (Guatemala, El Salvador,
# Honduras, Nicaragua, Costa Rica, Panama) pay for electricity, who exported to whom, which
# borders were full, and how much did Mexico sell to Guatemala? And how do you ask the model a
# question of your own?
#
# This notebook loads the shipped input data, builds and solves the 2022 base case through the
# Python API, looks at prices, flows on the map and the dispatch of one week, then writes a
# scenario of its own and compares it with the base case. Run all cells; nothing is downloaded.
#
# **Span.** Every run here covers the full year unless the environment variable
# `SIEPAC_NOTEBOOK_DAYS` is set: then each run covers that many days from 7 March (dry season,
# when hydro is scarce and the borders bind). `make test` sets it so that the notebooks run in
# minutes; `make notebooks` runs the full year. The cell below says which span this copy used.

# %%
from IPython.display import Markdown, display

from simulator import COUNTRIES
from simulator.charts import ChartOptions, make_charts
from simulator.compare import compare_runs, inputs_diff
from simulator.data import load_data
from simulator.notebooks import NotebookSetup
from simulator.results.runs import load_runs
from simulator.run import run_scenario
from simulator.scenario import load_scenario

SETUP = NotebookSetup.from_environment("01_quickstart")  # the span: SIEPAC_NOTEBOOK_DAYS, unset for the full year
ROOT, SCENARIOS, DAYS, OUT, CHARTS = SETUP.root, SETUP.scenarios, SETUP.days, SETUP.out, SETUP.charts
SPAN, REDUCED = SETUP.span, SETUP.reduced
with_span, show = SETUP.with_span, SETUP.show

display(Markdown(SETUP.banner()))

# %% [markdown]
# ## 1. The shipped input data
#
# Every input is a table in `grids/` with a source and a tag (`found`, `derived`, `estimate`).
# `load_data()` reads and checks them all. Annual demand and the installed fleet of 2022:

# %%
data = load_data()
demand = data.demand.query("year == 2022").pivot_table(index="country", columns="quantity", values="value")
display(demand.reindex(list(COUNTRIES)))
capacity = data.capacity.query("year == 2022").pivot_table(
    index="country", columns="technology", values="capacity_mw", aggfunc="sum", fill_value=0
)
display(capacity.reindex(list(COUNTRIES)).round(0))

# %% [markdown]
# ## 2. Build and solve the 2022 base case
#
# A scenario is a YAML file in `scenarios/`; `load_scenario` reads and validates it and
# `run_scenario` builds the PyPSA network, solves it with HiGHS and writes the run folder
# (`network.nc`, `kpis.csv`, `manifest.json`). The command line does the same:
# `siepac run scenarios/base_2022.yaml`.

# %%
base = with_span(load_scenario(SCENARIOS / "base_2022.yaml"))
result = run_scenario(base, OUT)
timings = result.manifest["timings_s"]
print(f"{base.name}: {result.report.status}, solved in {timings['solve']:.1f} s; written to {result.path}")

# %% [markdown]
# `result.kpis` is a tidy table (`scenario, metric, region, carrier, value, unit`), easy to
# pivot with pandas. Prices, demand and trade by country:

# %%
kpis = result.kpis.assign(carrier=result.kpis.carrier.fillna(""))
by_country = (
    kpis[kpis.region.isin(COUNTRIES) & (kpis.carrier == "")]
    .pivot_table(index="region", columns="metric", values="value")
    .reindex(list(COUNTRIES))
)
columns = ["price_load_weighted", "price_mean", "demand", "net_exports", "imports", "exports", "co2"]
display(by_country[columns].round(1).assign(co2=by_country.co2.round(3)))
mix = kpis.query("metric == 'generation'").pivot_table(index="region", columns="carrier", values="value")
display((100 * mix.div(mix.sum(axis=1), axis=0)).reindex(list(COUNTRIES)).round(0))

# %% [markdown]
# ## 3. Prices
#
# The price of a country is the dual of the energy balance at its national hub, hour by hour
# (`result.network.buses_t.marginal_price`). The duration curve sorts the hours from the
# dearest to the cheapest:

# %%
for chart in make_charts("prices", [result.path]):
    show(chart)

# %% [markdown]
# ## 4. Flows on the map
#
# Mean loading of every SIEPAC line and the Mexico link (arrows point in the direction of the
# mean flow), countries shaded by their load-weighted price. Below the map: energy by corridor
# (forward = west to east, Mexico first) and the hours each corridor spent at its limit.

# %%
for chart in make_charts("map", [result.path]):
    show(chart)
corridors = kpis[kpis.metric.isin(["flow_forward", "flow_backward", "hours_at_limit"])].pivot_table(
    index="region", columns="metric", values="value"
)
hours = float(result.network.snapshot_weightings.generators.sum())
corridors["share_at_limit_pct"] = 100 * corridors.hours_at_limit / hours
display(corridors.round(1))

# %% [markdown]
# ## 5. The dispatch of one week
#
# Guatemala's supply by carrier in the week from 7 March, with net imports stacked on top and
# net exports below zero; the black line is the load.

# %%
start = f"{base.year}-03-07"
for chart in make_charts("dispatch", [result.path], ChartOptions(country="GT", start=start)):
    show(chart)

# %% [markdown]
# The solved network is a `pypsa.Network`, so everything PyPSA offers works on it, e.g. the
# hourly hub prices or the energy balance by carrier:

# %%
n = result.network
hubs = n.buses.index[n.buses.national_hub.astype(bool)]
display(n.buses_t.marginal_price[hubs].describe().round(1))
display(n.statistics.supply(components=["Generator", "StorageUnit"], groupby="carrier").div(1e3).round(0))

# %% [markdown]
# ## 6. Writing a scenario
#
# A scenario file inherits a shipped one with `extends` and changes a few keys (every key is
# listed in `scenarios/defaults.yaml`; `siepac validate FILE` checks a file). Here: what if
# Guatemala's demand were 10 % higher than in 2022? The file goes into the results folder so
# the repository stays clean; `extends` falls back to `scenarios/`.

# %%
my_file = OUT / "my_gt_growth.yaml"
my_file.parent.mkdir(parents=True, exist_ok=True)
my_file.write_text(
    """\
extends: base_2022.yaml          # inherit everything from the 2022 base case
name: my_gt_growth               # also the name of the results folder
description: 2022 with Guatemala's demand 10 % higher.
demand:
  growth: {GT: 1.10}
""",
    encoding="utf-8",
)
mine = with_span(load_scenario(my_file))
first_day, days = mine.snapshots_span()
print(f"{mine.name}: {mine.description} {days} days from {first_day:%d %B %Y}.")
my_result = run_scenario(mine, OUT)

# %% [markdown]
# `simulator.compare` (the `siepac compare` command) lines the two runs up: the change of every
# figure against the reference, and the inputs that differ.

# %%
runs = load_runs([result.path, my_result.path])
changes = compare_runs(runs, runs[0])
display(inputs_diff(runs, runs[0]))
price_change = changes.query("metric == 'price_load_weighted'").set_index("region")[
    ["reference_value", "value", "change"]
]
display(price_change.round(2))
import_change = changes.query("metric == 'imports'").set_index("region")[["reference_value", "value", "change"]]
display(import_change.round(1))

# %% [markdown]
# ## The answer

# %%
prices = by_country.price_load_weighted
net = by_country.net_exports
busiest = corridors.share_at_limit_pct.idxmax()
mexico = corridors.loc["MX-GT"]
mx_price = kpis.query("metric == 'price_mean' and region == 'MX'").value.iloc[0]
gt_change = price_change.loc["GT", "change"]
gt_imports = import_change.loc["GT", "change"]
display(
    Markdown(
        f"""*Runs over {SPAN} of 2022{REDUCED}; weather year 2022, today's grid and market.*

- **Prices** ranged from {prices.min():.1f} USD/MWh in {prices.idxmin()} to {prices.max():.1f} USD/MWh in
  {prices.idxmax()} (load-weighted), {prices.max() - prices.min():.1f} USD/MWh apart.
- **Trade**: the largest net exporter to its SIEPAC neighbours was {net.idxmax()} ({net.max():+,.0f} GWh), the
  largest net importer {net.idxmin()} ({net.min():+,.0f} GWh).
- **Borders**: the busiest corridor was {busiest}, at its limit {corridors.loc[busiest, "hours_at_limit"]:,.0f} of
  {hours:,.0f} hours ({corridors.loc[busiest, "share_at_limit_pct"]:.0f} %).
- **Mexico** sold {mexico.flow_forward:,.0f} GWh to Guatemala (at its limit {mexico.hours_at_limit:,.0f} hours) at a
  mean Mexican price of {mx_price:.1f} USD/MWh.
- **Your own scenario**: with Guatemala's demand 10 % higher, Guatemala's price changes by {gt_change:+.1f}
  USD/MWh and its imports by {gt_imports:+,.0f} GWh.
"""
    )
)
