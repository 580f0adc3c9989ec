"""Project appraisal: ``siepac appraise FILE``: who gains, who loses, and is the project worth its cost.

From a notebook::

    from simulator.appraise import appraise

    result = appraise("scenarios/appraisal_second_circuit.yaml", out="results", workers=2)
    result.summary  # NPV, B/C, IRR, payback by hydrology, weighted, variants (and P10/P50/P90)
    result.benefits  # year, hydrology, region, component, value, unit, project_run, reference_run

Modules: :mod:`~simulator.appraise.config` (the appraisal file), :mod:`~simulator.appraise.cases`
(its runs as scenarios), :mod:`~simulator.appraise.run` (the batch, benefits, identity check and
economics), :mod:`~simulator.appraise.output` (the files written); the pure economics are
:mod:`~simulator.appraise.benefits` (surplus changes of one pair of solved networks),
:mod:`~simulator.appraise.economics` (NPV, B/C, IRR, payback) and :mod:`~simulator.appraise.sampling`.
"""

from __future__ import annotations

from simulator.appraise.config import Appraisal, load_appraisal
from simulator.appraise.run import AppraisalResult, appraise

__all__ = ["Appraisal", "AppraisalResult", "appraise", "load_appraisal"]
