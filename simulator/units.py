"""Unit conversions used across the model."""

from __future__ import annotations

MWH_PER_MMBTU = 0.293071
"""1 MMBtu = 0.293071 MWh (thermal)."""
