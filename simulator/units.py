"""Unit conversions used across the model."""

from __future__ import annotations

MWH_PER_MMBTU = 0.293071
"""1 MMBtu = 0.293071 MWh (thermal)."""


def mmcfd_to_mw(mmcfd: float, hhv_mmbtu_per_mcf: float) -> float:
    """Convert a gas flow in million cubic feet per day to MW (thermal, HHV)."""
    return mmcfd * 1000.0 * hhv_mmbtu_per_mcf / 24.0 * MWH_PER_MMBTU


def mw_to_mmcfd(mw: float, hhv_mmbtu_per_mcf: float) -> float:
    """Convert MW (thermal, HHV) to million cubic feet per day."""
    return mw / MWH_PER_MMBTU * 24.0 / hhv_mmbtu_per_mcf / 1000.0
