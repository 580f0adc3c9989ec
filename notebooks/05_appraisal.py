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
# # Appraisal: the second circuit and the pipeline routes, worth it, and for whom?
#
# **The question.** Is the full second SIEPAC circuit worth its USD 370 M? Is the Tapachula
# pipeline route with a 500 MW anchor plant in Guatemala better than the Chiapa de Corzo route,
# or than the same plant on LNG, and by how much? And who gains and who loses, country by
# country?
#
# Each question is a shipped appraisal file (`scenarios/appraisal_*.yaml`): a reference and a
# project, the study years 2030 and 2035, the wet (2022) and dry (2023) weather with equal
# weights, the project's costs from `grids/appraisal/projects.csv`, a discount rate of 8 % and
# CO2 at 75 USD/t (low and high variants of both in `summary.csv`). `simulator.appraise.appraise`
# (the `siepac appraise` command) runs the 8 cases of each as a batch, computes the benefits of
# each (project, reference) pair by country and component from the solved networks, checks that
# they add up to minus the change in total cost, and discounts them over the project's life.
#
# **Span.** Every run covers the full year unless `SIEPAC_NOTEBOOK_DAYS` is set: then each run
# covers that many days from 7 March (dry season), and the annual benefits are that span's
# scaled to a year, which is no appraisal. The cell below says which span this copy used.

# %%
import os

import pandas as pd
from IPython.display import Markdown, display

from simulator.appraise import appraise, load_appraisal
from simulator.charts import ChartOptions, make_charts
from simulator.notebooks import NotebookSetup

SETUP = NotebookSetup.from_environment("05_appraisal")  # the span: SIEPAC_NOTEBOOK_DAYS, unset for the full year
ROOT, SCENARIOS, OUT = SETUP.root, SETUP.scenarios, SETUP.out
SPAN, REDUCED = SETUP.span, SETUP.reduced
with_span, show = SETUP.with_span, SETUP.show
WORKERS = min(2, os.cpu_count() or 1)

display(Markdown(SETUP.banner()))

# %% [markdown]
# ## 1. Run the four appraisals
#
# The Tapachula file also draws 10 gas-price states of the world (P10/P50/P90 of the NPV): 80
# runs more, so this notebook leaves the draws out (`siepac appraise
# scenarios/appraisal_pipeline_tapachula.yaml` runs them). Run this cell again and every complete
# run is reused: nothing is solved twice.

# %%
FILES = {
    "second circuit": "appraisal_second_circuit.yaml",
    "Tapachula + anchor": "appraisal_pipeline_tapachula.yaml",
    "Chiapa de Corzo + anchor": "appraisal_pipeline_chiapa_de_corzo.yaml",
    "anchor on LNG": "appraisal_anchor_lng.yaml",
}
results = {}


def run(label: str) -> None:
    """Run one appraisal (its 8 cases, the draws left out) and keep its result."""
    appraisal = load_appraisal(SCENARIOS / FILES[label])
    appraisal.config = appraisal.config.model_copy(update={"sample": None})
    result = appraise(appraisal, OUT, workers=WORKERS, adjust=with_span)
    counts = result.batch.manifest["counts"]
    print(
        f"{label}: {counts['complete']} of {counts['runs']} runs complete ({counts['solved']} solved, "
        f"{counts['reused']} reused) in {result.wall_time_s:.0f} s; largest identity gap "
        f"{result.identity.gap.abs().max():.1e}; folder {result.path.relative_to(ROOT)}"
    )
    assert result.ok, (result.failed, result.identity)
    results[label] = result


run("second circuit")

# %%
run("Tapachula + anchor")

# %%
run("Chiapa de Corzo + anchor")

# %%
run("anchor on LNG")

# %% [markdown]
# ## 2. Worth it? NPV, benefit/cost ratio, IRR and payback
#
# Weighted over the two hydrologies, at the central discount rate and CO2 value. Costs are
# capex (paid in the commissioning year) and fixed O&M over the lifetime; benefits are every
# region's change summed, interpolated between 2030 and 2035 and held after 2035.

# %%
rows = []
for label, result in results.items():
    summary = result.summary.set_index(["case", "hydrology"])
    central = summary.loc[("central", "weighted")]
    costs = result.appraisal.costs
    rows.append(
        {
            "project": label,
            "capex MUSD": costs.capex_musd,
            "NPV MUSD": central.npv_musd,
            "NPV wet": summary.loc[("central", "wet")].npv_musd,
            "NPV dry": summary.loc[("central", "dry")].npv_musd,
            "NPV at 12 %": summary.loc[("discount_high", "weighted")].npv_musd,
            "B/C": central.benefit_cost_ratio,
            "IRR %": central.irr_pct,
            "payback": central.payback_year,
        }
    )
economics = pd.DataFrame(rows).set_index("project")
display(economics.round(2))

# %% [markdown]
# ## 3. For whom? Gains and losses by country
#
# The annual benefit (MUSD/yr), weighted over hydrology, by country and study year: consumer
# surplus (minus the change in what consumers pay, unserved energy at the value of lost load),
# producer surplus, congestion rent (split half to each end of a corridor), storage and hydro
# rent, and the CO2 value. `MX` is Mexico's side: its generators' surplus from the trade and half
# the border line's rent.

# %%
by_country = []
for label, result in results.items():
    weights = result.appraisal.weights
    b = result.benefits.assign(value=result.benefits.value * result.benefits.hydrology.map(weights))
    table = b.pivot_table(index="year", columns="region", values="value", aggfunc="sum")
    by_country.append(table.assign(project=label).set_index("project", append=True))
display(pd.concat(by_country).reorder_levels(["project", "year"]).round(1))

# %%
second = results["second circuit"].benefits
weights = results["second circuit"].appraisal.weights
components = (
    second.assign(value=second.value * second.hydrology.map(weights))
    .pivot_table(index=["year", "region"], columns="component", values="value", aggfunc="sum")
    .round(1)
)
display(components)

# %% [markdown]
# ## 4. Charts
#
# The benefit waterfall by component (with the annualised cost for scale), the gains and losses by
# country, and the NPV by hydrology and variant (`siepac chart appraisal DIR/appraisal-<name>`,
# also in Spanish with `--lang es`).

# %%
for label in ("second circuit", "Tapachula + anchor"):
    for chart in make_charts("appraisal", [results[label].path], ChartOptions(lang="en")):
        show(chart)

# %% [markdown]
# Reading it: transmission moves money between countries more than it creates it (the consumer
# and producer columns are larger than their sum), so read the NPV together with who pays. The
# pipeline appraisals carry the plant's capex as well as the pipe's; the LNG case is what the
# plant alone is worth, so the difference between a route and LNG is the pipe's own value.
# Estimates drive the answer: the 370 M of the second circuit covers more than the stringing
# (grids/appraisal/README.md), the 2035 fleet is short of capacity (unserved energy at the value
# of lost load weighs heavily), and the hydrology weights are equal by assumption.

# %% [markdown]
# ## The answer

# %%
best = economics["NPV MUSD"].idxmax()
worth = economics.index[economics["NPV MUSD"] > 0].tolist()
gap = max(float(r.identity.gap.abs().max()) for r in results.values())
circuit = results["second circuit"]
country = circuit.benefits.assign(
    value=circuit.benefits.value * circuit.benefits.hydrology.map(circuit.appraisal.weights)
).groupby("region").value.sum() / len(circuit.appraisal.config.years)
route_vs_lng = economics.loc["Tapachula + anchor", "NPV MUSD"] - economics.loc["anchor on LNG", "NPV MUSD"]
display(
    Markdown(
        f"On {SPAN}{REDUCED}: the second circuit's weighted NPV is "
        f"**{economics.loc['second circuit', 'NPV MUSD']:,.0f} MUSD** (B/C "
        f"{economics.loc['second circuit', 'B/C']:.2f}); its largest gainer is **{country.idxmax()}** "
        f"({country.max():+,.1f} MUSD/yr, mean of the study years) and its largest loser **{country.idxmin()}** "
        f"({country.min():+,.1f}). The Tapachula route with its anchor plant is worth "
        f"**{route_vs_lng:+,.0f} MUSD** more than the same plant on LNG, and "
        f"{economics.loc['Tapachula + anchor', 'NPV MUSD'] - economics.loc['Chiapa de Corzo + anchor', 'NPV MUSD']:+,.0f} "
        f"MUSD more than the Chiapa de Corzo route. Highest NPV: **{best}**; positive NPV: "
        f"{', '.join(worth) if worth else 'none'}. Every pair's benefits add up to minus its change in total cost "
        f"(largest gap {gap:.1e})."
    )
)
