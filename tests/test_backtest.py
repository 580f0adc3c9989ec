"""The back-test: arithmetic on hand-made tables, and the out-of-sample rule for 2023."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.backtest import BACKTEST_COLUMNS, History, backtest_table, load_history, modelled_shares, score
from simulator.paths import grids_dir


def kpis_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["metric", "region", "carrier", "value"])
    frame.insert(0, "scenario", "tiny")
    frame["unit"] = "GWh"
    return frame


def test_share_and_error_arithmetic_by_hand() -> None:
    # GT: modelled 60 hydro + 40 oil (60 % / 40 %); observed 50 hydro + 50 oil (50 % / 50 %).
    kpis = kpis_frame(
        [
            ("generation", "GT", "hydro", 60.0),
            ("generation", "GT", "oil", 40.0),
            ("net_exports", "GT", "", 120.0),
            ("regional_traded_energy", "ALL", "", 900.0),
            ("flow_forward", "MX-GT", "", 1300.0),
            ("flow_backward", "MX-GT", "", 100.0),
        ]
    )
    history = History(
        generation=pd.DataFrame(
            {
                "country": ["GT", "GT", "GT"],
                "year": 2022,
                "carrier": ["hydro", "oil", "solar"],
                "value": [50.0, 48.0, 2.0],
            }
        ),
        trade=pd.DataFrame({"country": ["GT"], "year": [2022], "quantity": ["net_position_mer_gwh"], "value": [100.0]}),
        regional=pd.DataFrame(
            {
                "year": [2022, 2022],
                "quantity": ["mer_traded_energy_gwh", "mexico_to_guatemala_gwh"],
                "value": [1000.0, 1000.0],
            }
        ),
    )
    table = backtest_table(kpis, history, 2022).set_index(["check", "region", "carrier"])
    hydro = table.loc[("generation_share", "GT", "hydro")]
    assert hydro.modelled == pytest.approx(60.0) and hydro.observed == pytest.approx(50.0)
    assert hydro.error == pytest.approx(10.0) and not hydro.within_target  # 10 pp > 5 pp
    oil = table.loc[("generation_share", "GT", "oil")]
    assert oil.error == pytest.approx(-8.0)
    solar = table.loc[("generation_share", "GT", "solar")]
    assert solar.observed == pytest.approx(2.0) and solar.within_target is None  # below 5 %: not judged
    net = table.loc[("net_position", "GT", "")]
    assert net.error == pytest.approx(20.0) and net.within_target  # right sign, +20 % < 40 %
    trade = table.loc[("regional_traded_energy", "SIEPAC", "")]
    assert trade.error == pytest.approx(-10.0) and trade.within_target
    mexico = table.loc[("mexico_to_guatemala", "MX-GT", "")]
    assert mexico.modelled == pytest.approx(1200.0) and mexico.error == pytest.approx(20.0)
    assert score(table.reset_index()) == (3, 5)  # hydro and oil miss; net, trade and Mexico within


def test_modelled_shares_sum_to_100() -> None:
    kpis = kpis_frame([("generation", "PA", "hydro", 3.0), ("generation", "PA", "gas", 1.0)])
    shares = modelled_shares(kpis)
    assert shares.loc["PA"].sum() == pytest.approx(100.0)
    assert shares.loc["PA", "gas"] == pytest.approx(25.0)


def test_history_has_no_2023_outcome() -> None:
    history = load_history()
    for table in (history.generation, history.trade, history.regional, history.prices):
        assert int(table.year.max()) <= 2022
    for path in (grids_dir() / "history").glob("*.csv"):
        assert ",2023," not in path.read_text(encoding="utf-8"), path


def test_observed_2022_generation_matches_the_olade_totals() -> None:
    totals = {"CR": 12592, "SV": 7134, "GT": 12025, "HN": 11285, "NI": 4293, "PA": 14067}  # FACTS §3.1
    generation = load_history().generation
    by_country = generation[generation.year == 2022].groupby("country").value.sum()
    for country, total in totals.items():
        assert by_country[country] == pytest.approx(total, abs=2.0)


def test_history_files_are_documented() -> None:
    assert (Path(grids_dir()) / "history" / "README.md").is_file()


def test_monthly_load_weighted_price_by_hand() -> None:
    from simulator.backtest import monthly_prices
    from simulator.testing import tiny_network

    # one bus, 4 hours: 2 in January (load 100 MW at 50, 300 MW at 90 USD/MWh), 2 in February
    n = tiny_network({"a": "SV"}, [], [("g", "a", "gas", 1000.0, 1.0)], {"a": 100.0}, hours=4)
    n.set_snapshots(pd.DatetimeIndex(["2022-01-01 00:00", "2022-01-01 01:00", "2022-02-01 00:00", "2022-02-01 01:00"]))
    n.loads_t.p_set = pd.DataFrame({"SV load a": [100.0, 300.0, 200.0, 200.0]}, index=n.snapshots)
    n.buses_t.marginal_price = pd.DataFrame({"a": [50.0, 90.0, 10.0, 30.0]}, index=n.snapshots)
    monthly = monthly_prices(n).set_index("month").price
    assert monthly[1] == pytest.approx((100 * 50 + 300 * 90) / 400)  # 80, not the plain mean 70
    assert monthly[2] == pytest.approx(20.0)


def test_price_check_mean_absolute_error_by_hand() -> None:
    from simulator.backtest import price_rows

    monthly = pd.DataFrame({"country": ["SV", "SV", "SV"], "month": [4, 8, 12], "price": [150.0, 110.0, 90.0]})
    empty = pd.DataFrame(columns=["year", "quantity", "value"])
    history = History(
        generation=empty,
        trade=empty,
        regional=empty,
        prices=pd.DataFrame(
            {
                "country": ["SV", "SV", "SV"],
                "year": 2022,
                "month": [4, 8, 12],
                "quantity": "monthly_price_usd_per_mwh",
                "value": [200.0, 100.0, 100.0],
            }
        ),
    )
    rows = pd.DataFrame(price_rows(monthly, history, 2022), columns=[*BACKTEST_COLUMNS])
    months = rows[rows.check == "monthly_price"].set_index("month")
    assert months.error.to_dict() == pytest.approx({4: -25.0, 8: 10.0, 12: -10.0})
    summary = rows[rows.check == "monthly_price_error"].iloc[0]
    # mean of |−25|, |10|, |−10| = 15 % ≤ 20 %: within; a signed mean (−8.3 %) would hide the misses
    assert summary.error == pytest.approx(15.0) and summary.within_target
    monthly.loc[0, "price"] = 100.0  # April −50 %: mean abs 23.3 %
    rows = pd.DataFrame(price_rows(monthly, history, 2022), columns=[*BACKTEST_COLUMNS])
    assert not rows[rows.check == "monthly_price_error"].iloc[0].within_target
