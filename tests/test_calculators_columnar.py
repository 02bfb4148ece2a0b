"""The calculators' columnar path (pyarrow) against their pandas path on the same input: same bytes out,
and every input the columnar path does not take exactly goes to the pandas path (same output, same error)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pipeline.calculators as calculators
from pipeline.calculators import InputError, aqi_csv, daily_aqi_csv, water_class_csv


def _both(monkeypatch, tmp_path, run, text: str) -> tuple[bytes | str, bytes | str, bool]:
    """(columnar output or error, pandas output or error, whether the columnar path took the input)."""
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    results = []
    for columnar in (True, False):
        monkeypatch.setattr(calculators, "COLUMNAR", columnar)
        out = tmp_path / f"out_{columnar}.csv"
        try:
            run(str(source), str(out))
            results.append(out.read_bytes())
        except InputError as err:
            results.append(f"InputError: {err}")
    monkeypatch.setattr(calculators, "COLUMNAR", True)
    taken = True
    try:
        {"aqi": lambda: calculators._aqi_table(str(source), "daily", None),
         "water": lambda: calculators._water_class_table(str(source)),
         "daily": lambda: calculators._hourly_columnar(str(source))}[run.kind]()  # fmt: skip
    except calculators._NotColumnar:
        taken = False
    return results[0], results[1], taken


def _aqi(i, o):
    aqi_csv(i, o, "daily", None)


def _water(i, o):
    water_class_csv(i, o)


def _daily(i, o):
    daily_aqi_csv(i, o)


_aqi.kind, _water.kind, _daily.kind = "aqi", "water", "daily"


def _random_days(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-10-01", "2026-06-30", freq="D")
    frame = pd.DataFrame({"station": rng.choice(["1001A", "1002A", " 1003A"], n),
                          "date": days[rng.integers(0, len(days), n)].strftime("%Y-%m-%d")})  # fmt: skip
    for column, scale in (
        ("so2", 30),
        ("no2", 60),
        ("pm10", 150),
        ("co", 2),
        ("pm25", 120),
        ("o3_8h", 200),
        ("o3_1h", 260),
    ):
        values = np.round(rng.gamma(2, scale / 2, n), 1 if column == "co" else rng.integers(0, 3))
        text = pd.Series(values).astype(str).to_numpy(dtype=object)
        text[rng.random(n) < 0.05] = ""
        text[rng.random(n) < 0.02] = "  7 "
        frame[column] = text
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aqi_columnar_equals_pandas_on_random_days(monkeypatch, tmp_path, seed):
    columnar, reference, taken = _both(monkeypatch, tmp_path, _aqi, _random_days(seed).to_csv(index=False))
    assert taken and isinstance(columnar, bytes) and columnar == reference


@pytest.mark.parametrize(
    "text,taken",
    [
        ("pm25,date\n35,2026-01-01\n", True),
        ("pm25,date\n35,2026-03-01\n1e2,2026-03-01\n", True),  # an exponent: both read 100
        ("pm25,date\n3.5e1,2026-03-01\n.5,2026-03-01\n5.,2026-03-01\n", True),
        ("pm25,date\nnan,2026-01-01\n", False),  # not a number for the pandas path: its error
        ("pm25,date\ninf,2026-01-01\n", False),
        ("pm25,date\n-3,2026-01-01\n", False),  # negative: the pandas path refuses it with the line
        ("pm25,date\n1,5,2026-01-01\n", False),  # ragged
        ("pm25,date\n35,2026-13-01\n", False),  # no such date
        ("pm25,date\n0.1234567890123456,2026-01-01\n", False),  # more digits than both round alike
        ("pm25,pm25\n1,2\n", False),  # a repeated name: pandas renames it
        ('"pm25",date\n1,2026-01-01\n', False),  # a quoted header
        ('pm25,date,name\n1,2026-01-01,"衢州, 柯城"\n', True),  # values needing quotes: written by pandas
        ("pm25,date\n  \t35 ,2026-01-01\n", True),
        ("pm25,date\n+35,2026-01-01\n", None),  # either way, the same output
        ("pm25,date\n35,2026-01-01\n\n36,2026-01-02\n", True),  # a blank line is skipped by both
        ("pm25,date\r\n35,2026-01-01\r\n", True),
        ("pm25,date\n", True),  # header only: the header and the names of the added columns
        ("so2,no2\n", True),
    ],
)
def test_aqi_edge_inputs_give_the_same_bytes_or_the_same_error(monkeypatch, tmp_path, text, taken):
    columnar, reference, took = _both(monkeypatch, tmp_path, _aqi, text)
    assert columnar == reference
    if taken is not None:
        assert took is taken


def _random_samples(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"section": rng.choice(["S1", "衢江 樟树潭"], n),
                          "waterbody": rng.choice(["river", "lake", "湖库", " River ", ""], n),
                          "target_class": rng.choice(["II", "Ⅲ", "III类", "劣V", ""], n)})  # fmt: skip
    frame.loc[frame["target_class"] == "劣V", "target_class"] = "IV"
    for column, scale in (("ph", 7.5), ("do", 6), ("codmn", 4), ("nh3n", 0.8), ("tp", 0.15), ("cod", 18)):
        text = pd.Series(np.round(rng.gamma(4, scale / 4, n), 3)).astype(str).to_numpy(dtype=object)
        text[rng.random(n) < 0.05] = "0.01L"
        text[rng.random(n) < 0.05] = "---"
        text[rng.random(n) < 0.03] = ""
        frame[column] = text
    return frame


@pytest.mark.parametrize("seed", [4, 5])
def test_water_class_columnar_equals_pandas_on_random_samples(monkeypatch, tmp_path, seed):
    columnar, reference, taken = _both(monkeypatch, tmp_path, _water, _random_samples(seed).to_csv(index=False))
    assert taken and isinstance(columnar, bytes) and columnar == reference


@pytest.mark.parametrize(
    "text",
    [
        "ph,nh3n\n7.1,abc\n",  # not a number: the pandas path's error
        "ph,waterbody\n7.1,sea\n",
        "ph,target_class\n7.1,VI\n",
        "ph,nh3n\n7.1,<0.02\n7.3,0.02L\n",
    ],
)
def test_water_class_edge_inputs_give_the_same_bytes_or_the_same_error(monkeypatch, tmp_path, text):
    columnar, reference, _ = _both(monkeypatch, tmp_path, _water, text)
    assert columnar == reference


def _random_hours(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2026-02-26 01:00", periods=24 * 5, freq="h")
    frame = pd.DataFrame({"station_code": np.repeat(["1002A", "1001A ", "1003A"], len(stamps)),
                          "time": np.tile(stamps.strftime("%Y-%m-%d %H:%M"), 3)}).sample(frac=0.95, random_state=seed)  # fmt: skip
    midnight = frame["time"].str.endswith("00:00") & (rng.random(len(frame)) < 0.5)
    frame.loc[midnight, "time"] = (pd.to_datetime(frame.loc[midnight, "time"]) - pd.Timedelta(days=1)).dt.strftime(
        "%Y-%m-%d"
    ) + " 24:00"
    for column, scale in (("so2", 12), ("no2", 40), ("pm10", 90), ("co", 1.1), ("o3", 120), ("pm25", 60)):
        text = pd.Series(np.round(rng.gamma(3, scale / 3, len(frame)), 1 if column == "co" else 0)).astype(str)
        frame[column] = text.where(rng.random(len(frame)) > 0.06, "").to_numpy()
    return frame


@pytest.mark.parametrize("seed", [6, 7])
def test_daily_aqi_columnar_equals_pandas_on_random_hours(monkeypatch, tmp_path, seed):
    columnar, reference, taken = _both(monkeypatch, tmp_path, _daily, _random_hours(seed).to_csv(index=False))
    assert taken and isinstance(columnar, bytes) and columnar == reference


@pytest.mark.parametrize(
    "text",
    [
        "station_code,time,pm25\n1001A,2026-03-01 25:00,3\n",  # no such hour: the pandas path's error
        "station_code,time,pm25\n1001A,2026-03-01 01:00,3\n1001A,2026-03-01 01:00,4\n",  # duplicate hour
        "station,time,pm25\n1001A,2026-03-01 01:00,3\n",  # no station_code column
    ],
)
def test_daily_aqi_edge_inputs_give_the_same_bytes_or_the_same_error(monkeypatch, tmp_path, text):
    columnar, reference, _ = _both(monkeypatch, tmp_path, _daily, text)
    assert columnar == reference


def test_codes_are_stripped_as_python_strips_them(monkeypatch, tmp_path):
    """U+001F and U+3000 around a station code or a date: both paths strip them (Python's str.strip)."""
    text = (
        "station_code,time,pm25\n"
        + "".join(f"\x1f1001A\u3000,2026-03-01 {h:02d}:00,{h}\n" for h in range(1, 24))
        + "1001A,2026-03-02 00:00,5\n"
    )
    columnar, reference, taken = _both(monkeypatch, tmp_path, _daily, text)
    assert taken and columnar == reference and b"\n1001A,2026-03-01," in columnar
    days = "station,date,pm25\nA,\x1f2026-03-01\u3000,80\n"
    columnar, reference, taken = _both(monkeypatch, tmp_path, _aqi, days)
    assert taken and columnar == reference
