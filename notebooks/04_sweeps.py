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
# # Sweeps: how big an anchor plant, and how cheap US gas, for the pipeline to pay?
#
# **The question.** On the Tapachula route, in the drought year 2023, how large must the anchor
# plant be, and how cheap Henry Hub gas, for the pipeline to be used above its break-even
# utilisation, and what does each combination do to Guatemala's electricity price?
#
# `scenarios/sweep_anchor_henry_hub.yaml` sweeps the anchor size (250, 500, 750 MW) × the Henry
# Hub price (3 and 6 USD/MMBtu): six variants, each compared with `base_2023`. This notebook
# runs them as one batch on a local Dask cluster (`simulator.batch`, the `siepac batch`
# command), reads the batch's KPI table with pandas and draws the heatmaps.
#
# **Span.** Every run covers the full year unless `SIEPAC_NOTEBOOK_DAYS` is set: then each run
# covers that many days from 7 March (dry season). The cell below says which span this copy used.

# %%
import os

import pandas as pd
from IPython.display import Markdown, display

from simulator import COUNTRIES, batch
from simulator.charts import ChartOptions, make_charts
from simulator.notebooks import NotebookSetup
from simulator.scenario import load_scenario, load_scenarios

SETUP = NotebookSetup.from_environment("04_sweeps")  # the span: SIEPAC_NOTEBOOK_DAYS, unset for the full year
ROOT, SCENARIOS, DAYS, OUT, CHARTS = SETUP.root, SETUP.scenarios, SETUP.days, SETUP.out, SETUP.charts
SPAN, REDUCED = SETUP.span, SETUP.reduced
with_span, show = SETUP.with_span, SETUP.show

display(Markdown(SETUP.banner()))

# %% [markdown]
# ## 1. Run the sweep as a batch
#
# `load_scenarios` expands the sweep into its variants (each validated in full and named after
# its swept values); `batch.run` solves them in parallel. A batch is resumable: run this cell
# again and complete runs are reused, not solved again. The command line equivalent is
# `siepac batch scenarios/sweep_anchor_henry_hub.yaml`.
#
# The sweep names `base_2023` as its `reference`. Given as written, a batch runs that reference
# once and every variant adds `price_change` against it to its KPIs; but with a reduced span the
# batch runs one copy of the reference per variant (`base_2023--for-<variant>`), doubling the
# work. So here the variants are given without `reference`, `base_2023` joins the batch as a run
# of its own, and the price change is computed with pandas (section 2).

# %%
variants = [
    with_span(v).model_copy(update={"reference": None})
    for v in load_scenarios(SCENARIOS / "sweep_anchor_henry_hub.yaml")
]
for variant in variants:
    print(variant.name, variant.swept)
base = with_span(load_scenario(SCENARIOS / "base_2023.yaml"))
result = batch.run([base, *variants], out=OUT, name="sweep_anchor_henry_hub", workers=min(2, os.cpu_count() or 1))
print(
    f"{len(result.complete)} runs complete, {len(result.failed)} failed; batch folder {result.path.relative_to(ROOT)}"
)
for record in result.records:
    print(f"  {record.scenario}: {record.role}, {record.status} ({record.action}), {record.wall_time_s or 0:.1f} s")
assert result.ok, [(r.scenario, r.failure, r.reason) for r in result.failed]

# %% [markdown]
# ## 2. The KPI table with pandas
#
# `result.kpis` holds every run's KPIs, tidy, plus one column per swept parameter (named by its
# dotted key; empty for `base_2023`, which sweeps nothing). Pivot a metric over the two swept
# parameters:

# %%
SIZE, HENRY_HUB = "gas.anchor.capacity_mw", "gas.price_usd_per_mmbtu.henry_hub"
kpis = result.kpis.assign(carrier=result.kpis.carrier.fillna(""))
swept = kpis.dropna(subset=[SIZE, HENRY_HUB])
display(swept.head())


def grid(metric: str, region: str | None = None, aggregate: str = "sum") -> pd.DataFrame:
    """Return a metric over the sweep: rows Henry Hub price, columns anchor size (MW)."""
    rows = swept[swept.metric == metric]
    if region is not None:
        rows = rows[rows.region == region]
    return rows.pivot_table(index=HENRY_HUB, columns=SIZE, values="value", aggfunc=aggregate)


base_price = kpis[(kpis.scenario == base.name) & (kpis.metric == "price_load_weighted")].set_index("region").value
prices = swept[swept.metric == "price_load_weighted"]
prices = prices.assign(change=prices.value - prices.region.map(base_price))
gt_price = grid("price_load_weighted", "GT")
gt_price_change = prices[prices.region == "GT"].pivot_table(index=HENRY_HUB, columns=SIZE, values="change")
display(Markdown(f"**Guatemala: load-weighted price (USD/MWh); base_2023: {base_price['GT']:.1f}**"), gt_price.round(1))
display(Markdown("**Guatemala: change in load-weighted price against base_2023 (USD/MWh)**"), gt_price_change.round(2))
capacity_factor = grid("anchor_capacity_factor", "GT")
display(Markdown("**Anchor plant capacity factor (%)**"), capacity_factor.round(1))
utilisation = grid("pipeline_utilisation", aggregate="max")  # the narrowest segment limits the route
break_even = grid("pipeline_break_even_utilisation")
display(Markdown("**Pipeline utilisation (%)**"), utilisation.round(1))
display(Markdown("**Break-even utilisation (%)**: the LNG margin over Mexican gas shrinks as Henry Hub rises"))
display(break_even.round(1))
headroom = utilisation - break_even
display(
    Markdown("**Utilisation minus break-even (percentage points; positive = the pipeline pays)**"), headroom.round(1)
)

# %% [markdown]
# Every country's price change, one row per variant:

# %%
changes = prices.pivot_table(index=[SIZE, HENRY_HUB], columns="region", values="change")
display(changes[list(COUNTRIES)].round(2))

# %% [markdown]
# ## 3. Heatmaps
#
# `siepac chart sweep` draws one KPI over two swept parameters, the value in every cell.

# %%
last_segment = swept[swept.metric == "pipeline_utilisation"].region.iloc[-1]
for options in (
    ChartOptions(metric="price_load_weighted", region="GT", x=SIZE, y=HENRY_HUB),
    ChartOptions(metric="pipeline_utilisation", region=last_segment, x=SIZE, y=HENRY_HUB),
):
    for chart in make_charts("sweep", [result.path], options):
        show(chart)

# %% [markdown]
# ## 4. The solved networks
#
# `result.networks()` opens the variants' `network.nc` files as one `pypsa.NetworkCollection`,
# indexed by scenario and swept values, so PyPSA's statistics run over all of them at once,
# e.g. the energy each variant's anchor plant delivers to Guatemala (GWh):

# %%
networks = result.networks([v.name for v in variants])
supply = networks.statistics.supply(components="Link", groupby="carrier", nice_names=False)
display((supply.xs("gas", level="carrier").droplevel("scenario") / 1e3).round(1))

# %% [markdown]
# ## The answer


# %%
def smallest_paying(henry_hub: float) -> str:
    """Return the smallest anchor size at which the pipeline reaches break-even at a Henry Hub price."""
    row = headroom.loc[henry_hub]
    sizes = row.index[row >= 0]
    if len(sizes) == 0:
        return f"with none of the sizes swept (best {row.max():+.0f} points at {row.idxmax():,.0f} MW)"
    return f"from {sizes.min():,.0f} MW of anchor plant"


verdict = "; ".join(f"at Henry Hub {hh:g} USD/MMBtu the pipeline pays {smallest_paying(hh)}" for hh in headroom.index)
verdict = verdict[0].upper() + verdict[1:]
largest = gt_price_change.stack().idxmin()
display(
    Markdown(
        f"""*Runs over {SPAN} of 2023{REDUCED}; drought year, Tapachula route.*

- **Break-even.** {verdict}. The break-even utilisation is {break_even.min().min():.0f} % at the lower Henry Hub
  price and {break_even.max().max():.0f} % at the higher one; the anchor plant fills the pipeline to
  {utilisation.min().min():.0f}–{utilisation.max().max():.0f} % depending on its size and the gas price.
- **Guatemala's price** changes by {gt_price_change.min().min():+.1f} to {gt_price_change.max().max():+.1f} USD/MWh
  against base_2023 ({base_price["GT"]:.1f} USD/MWh); the largest fall is with {largest[1]:,.0f} MW at Henry Hub
  {largest[0]:g} USD/MMBtu.
- The anchor plant runs at a capacity factor of {capacity_factor.min().min():.0f}–{capacity_factor.max().max():.0f} %.
"""
    )
)
