"""Fuels of the 2022 calibration: petcoke in Guatemala's coal fleet, the sugar-mill coal
blocks outside the harvest, the contract LNG price."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator.data import InputData, load_data, read_technology_fuels
from simulator.errors import DataError
from simulator.network import build_network
from simulator.network.electric import mill_block_pu
from simulator.paths import grids_dir
from simulator.testing import short_scenario


def test_mill_blocks_burn_coal_only_outside_the_harvest(data: InputData) -> None:
    index = pd.date_range("2022-01-01", "2022-12-31 23:00", freq="h")
    monthly = mill_block_pu(data, "GT", index).groupby(index.month).max()
    # harvest November to May (fleet/parameters.csv): bagasse; June to October: coal
    assert list(monthly.round(3)) == [0, 0, 0, 0, 0, 0.85, 0.85, 0.85, 0.85, 0.85, 0, 0]


@pytest.mark.parametrize(("start", "available"), [("2022-03-07", 0.0), ("2022-07-04", 0.85)])
def test_mill_blocks_in_the_network_only_when_asked(data: InputData, start: str, available: float) -> None:
    off = build_network(short_scenario(start=start, days=1), data)
    assert "GT coal mill blocks" not in off.generators.index
    on = build_network(short_scenario(start=start, days=1, fuels={"sugar_mill_coal_blocks": True}), data)
    assert on.generators.p_nom["GT coal mill blocks"] == pytest.approx(488.3)
    assert on.generators_t.p_max_pu["GT coal mill blocks"].max() == pytest.approx(available)
    # same fuel and heat rate as the dedicated fleet
    assert on.generators.marginal_cost["GT coal mill blocks"] == pytest.approx(on.generators.marginal_cost["GT coal"])


def test_guatemalan_coal_fleet_is_priced_on_petcoke(data: InputData) -> None:
    n = build_network(short_scenario(days=1), data)
    # 181.3 USD/t ÷ 32 MMBtu/t × 12.8 MMBtu/MWh + 5 USD/MWh VOM = 77.52 USD/MWh
    assert n.generators.marginal_cost["GT coal"] == pytest.approx(181.3 / 32.0 * 12.8 + 5.0)
    # Panama's Cobre Panamá still burns coal: 255.6 ÷ 25 × 9.76 + 5
    assert n.generators.marginal_cost["PA coal"] == pytest.approx(255.6 / 25.0 * 9.76 + 5.0)
    # CO2 of petcoke: 102.41 kg/MMBtu × 12.8 MMBtu/MWh
    assert n.generators.co2_t_per_mwh["GT coal"] == pytest.approx(0.10241 * 12.8)


def test_lng_contract_price_2022(data: InputData) -> None:
    n = build_network(short_scenario(days=1), data)
    # 1.15 × 6.37 + (6.50 + 7.95) / 2 = 14.55 USD/MMBtu; EDP 8.34 MMBtu/MWh + 6.5 VOM
    assert data.fuel_price_usd_per_mmbtu("lng", 2022) == pytest.approx(1.15 * 6.37 + (6.50 + 7.95) / 2, abs=0.01)
    assert n.generators.marginal_cost["SV gas"] == pytest.approx(14.55 * 8.34 + 6.5)


def test_petcoke_price_override_reaches_guatemala_only(data: InputData) -> None:
    n = build_network(short_scenario(days=1, fuels={"prices": {"petcoke": {"usd_per_mmbtu": 10.0}}}), data)
    assert n.generators.marginal_cost["GT coal"] == pytest.approx(10.0 * 12.8 + 5.0)
    assert n.generators.marginal_cost["PA coal"] == pytest.approx(255.6 / 25.0 * 9.76 + 5.0)


def test_unknown_fuel_in_technology_fuels_names_line_and_column(tmp_path: Path) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    path = root / "fuels/technology_fuels.csv"
    path.write_text(path.read_text().replace("coal,GT,petcoke", "coal,GT,petcok"))
    with pytest.raises(DataError, match=r"technology_fuels\.csv:2: column `fuel` must be a fuel") as info:
        read_technology_fuels(load_data(root))
    assert "found 'petcok'" in str(info.value)
