"""City ranking (环办监测〔2018〕19号, pipeline/indicators/ranking.py) on small hand-computed cases: ties, a city with an
incomplete month, 同比 with and without the year before, a universe member without data, a gap common to all."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.indicators.ranking import city_period_values, periods_of, rank_universe, required_days

CLEAN = {"so2": 6, "no2": 20, "pm10": 35, "pm25": 35, "co": 0.8, "o3_8h": 80}
"""I_sum by hand: 6/60 + 20/40 + 35/70 + 35/35 + 0.8/4 + 80/160 = 0.1 + 0.5 + 0.5 + 1.0 + 0.2 + 0.5 = 2.80."""


def days_of(city: str, month: str, n_days: int, aqi: int = 50, valid: int | None = None, **changed) -> pd.DataFrame:
    """``n_days`` city-days of ``month`` with :data:`CLEAN` values (``changed`` overriding), the first ``valid``
    of them valid (all six statistics: HJ 663-2013), the others invalid (NaN statistics)."""
    valid = n_days if valid is None else valid
    dates = pd.date_range(f"{month}-01", periods=n_days, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"city": city, "date": dates, **{**CLEAN, **changed}, "aqi": aqi, "valid_day": True})
    frame.loc[valid:, list(CLEAN)] = float("nan")
    frame.loc[valid:, "valid_day"] = False
    return frame


def ranking(city_days: pd.DataFrame, members, year: int = 2019) -> pd.DataFrame:
    now = city_period_values(city_days, year)
    before = city_period_values(city_days, year - 1)
    return rank_universe(now, members, before)


def one(frame: pd.DataFrame, period: str, indicator: str) -> pd.DataFrame:
    return frame[(frame["period"] == period) & (frame["indicator"] == indicator)].set_index("city")


def test_ties_share_a_rank_and_the_next_is_skipped():
    """A and B have the same days (I_sum 2.80), C has PM2.5 70 (2.80 + 1.00 = 3.80), D SO2 12 (2.80 + 0.10 = 2.90):
    ranks 1, 1, 4 for C... no: A 1, B 1, D 3, C 4."""
    city_days = pd.concat([
        days_of("A", "2019-01", 31), days_of("B", "2019-01", 31),
        days_of("C", "2019-01", 31, pm25=70, aqi=120), days_of("D", "2019-01", 31, so2=12),
    ])  # fmt: skip
    found = one(ranking(city_days, ["A", "B", "C", "D"]), "2019-01", "composite_index")
    assert found["value"].to_dict() == {"A": 2.80, "B": 2.80, "C": 3.80, "D": 2.90}
    assert found["rank"].to_dict() == {"A": 1, "B": 1, "C": 4, "D": 3}
    assert (found["n_ranked"] == 4).all() and (found["note"] == "").all()
    ratio = one(ranking(city_days, ["A", "B", "C", "D"]), "2019-01", "good_day_ratio")
    assert ratio["value"].to_dict() == {"A": 100.0, "B": 100.0, "C": 0.0, "D": 100.0}
    assert ratio["rank"].to_dict() == {"A": 1, "B": 1, "C": 4, "D": 1}  # descending: more good days rank first
    pm25 = one(ranking(city_days, ["A", "B", "C", "D"]), "2019-01", "pm25")
    assert pm25["rank"].to_dict() == {"A": 1, "B": 1, "C": 4, "D": 1}


def test_a_city_with_an_incomplete_month_is_not_ranked_and_says_why():
    """D has 10 valid days of 31 in January (GB 3095-2012 Table 4 asks 27; its peers have 31): listed, not ranked."""
    city_days = pd.concat([days_of(c, "2019-01", 31) for c in "ABC"] + [days_of("D", "2019-01", 31, valid=10)])
    found = one(ranking(city_days, list("ABCD")), "2019-01", "composite_index")
    assert math.isnan(found.at["D", "rank"]) and not found.at["D", "eligible"]
    assert found.at["D", "note"] == "数据不完整，不参与排名：有效10天，少于27天（GB 3095-2012 表4 的有效天数要求）"
    assert found.at["D", "valid_days"] == 10 and found.at["D", "value"] == 2.80  # its value is shown, unranked
    assert (found["n_ranked"] == 3).all() and found.loc[list("ABC"), "rank"].tolist() == [1, 1, 1]


def test_a_gap_common_to_the_universe_ranks_on_the_days_peers_have():
    """The source lost six days of August for every city (25 of 31 valid, below Table 4's 27): the month is ranked on
    90 % of the median (floor(0.9 x 25) = 22 days); a city with 15 is not."""
    city_days = pd.concat([days_of(c, "2019-08", 31, valid=25) for c in "ABC"]
                          + [days_of("D", "2019-08", 31, valid=15, so2=0)])  # fmt: skip
    assert required_days("2019-08", 25) == (22, True) and required_days("2019-08", 31) == (27, False)
    assert required_days("2019", 340) == (324, False) and required_days("2019-01~03", 90) == (27 + 25 + 27, False)
    found = one(ranking(city_days, list("ABCD")), "2019-08", "composite_index")
    assert found.loc[list("ABC"), "rank"].tolist() == [1, 1, 1]
    assert found.at["D", "note"] == (
        "数据不完整，不参与排名：有效15天，少于22天（同组城市中位数的90%（源数据全组缺测，按同组比较））"
    )


def test_a_period_in_progress_is_ranked_on_the_days_so_far_and_says_so():
    """December so far (6 days loaded): ranked on the days peers have, the note says the period is not over."""
    city_days = pd.concat([days_of(c, "2019-12", 6) for c in "ABC"] + [days_of("D", "2019-12", 6, valid=2)])
    values = city_period_values(city_days, 2019)
    assert not values["period_over"].any()
    found = one(ranking(city_days, list("ABCD")), "2019-12", "composite_index")
    assert found.loc[list("ABC"), "rank"].tolist() == [1, 1, 1]
    assert (
        found.at["D", "note"]
        == "数据不完整，不参与排名：有效2天，少于5天（同组城市中位数的90%（本期尚未结束，按已有天数比较））"
    )
    august = city_period_values(pd.concat([days_of("A", "2019-08", 31), days_of("A", "2019-09", 3)]), 2019)
    assert august.set_index("period").at["2019-08", "period_over"]


def test_year_on_year_with_and_without_the_year_before():
    """A had PM2.5 70 in January 2018 (I_sum 3.80), 35 in January 2019 (2.80): 同比 (2.80 − 3.80) / 3.80 = −26.3 %,
    PM2.5 −50.0 %, good-day ratio +100.0 points (0 % -> 100 %); B has no 2018: no 同比, no rank by change."""
    city_days = pd.concat([
        days_of("A", "2018-01", 31, pm25=70, aqi=120), days_of("A", "2019-01", 31), days_of("B", "2019-01", 31, so2=12),
    ])  # fmt: skip
    found = ranking(city_days, ["A", "B"])
    composite = one(found, "2019-01", "composite_index")
    assert composite.at["A", "previous_value"] == 3.80 and composite.at["A", "change"] == -26.3
    assert composite.at["A", "change_rank"] == 1
    assert math.isnan(composite.at["B", "previous_value"]) and math.isnan(composite.at["B", "change"])
    assert math.isnan(composite.at["B", "change_rank"])
    assert one(found, "2019-01", "pm25").at["A", "change"] == -50.0
    assert one(found, "2019-01", "good_day_ratio").at["A", "change"] == 100.0


def test_a_member_without_data_is_listed_unranked():
    """The 168-city universe names a city the warehouse has no day of: it is listed with 无监测数据, and the
    others are ranked without it."""
    members = ["A", "B", "莱芜"]  # 莱芜 joined 济南 in 2019: no station of its own
    found = one(ranking(pd.concat([days_of("A", "2019-01", 31), days_of("B", "2019-01", 31, so2=12)]), members),
                "2019-01", "composite_index")  # fmt: skip
    assert found["rank"].drop("莱芜").to_dict() == {"A": 1, "B": 2}
    assert math.isnan(found.at["莱芜", "rank"]) and found.at["莱芜", "note"].startswith("无监测数据")
    assert (found["n_members"] == 3).all() and (found["n_ranked"] == 2).all()


def test_cumulative_periods_and_the_year():
    """1–N月 for N = 2 … 11 up to the last month with data; the year only once December has data."""
    assert periods_of(2019, [1, 2, 3]) == [("2019-01", "month"), ("2019-02", "month"), ("2019-03", "month"),
                                           ("2019-01~02", "ytd"), ("2019-01~03", "ytd")]  # fmt: skip
    assert periods_of(2019, range(1, 13))[-1] == ("2019", "year")
    city_days = pd.concat([days_of("A", "2019-01", 31, pm25=70), days_of("A", "2019-02", 28)])
    values = city_period_values(city_days, 2019).set_index("period")
    assert values.at["2019-01~02", "pm25"] == 53  # (31 x 70 + 28 x 35) / 59 = 53.39 -> 53
    assert values.at["2019-01~02", "valid_days"] == 59
