"""Inputs for the calculators' golden outputs (issue 18): seeded, with the cases real files have.

Run from the repo root: `.venv/bin/python tests/data/calculators/make_inputs.py` (then see README.md)."""

import numpy as np
import pandas as pd

rng = np.random.default_rng(18)
out = "tests/data/calculators"
# aqi daily: both editions by date, blanks, spaces, a quoted name with a comma and Chinese
n = 400
dates = pd.date_range("2025-12-01", "2026-05-31", freq="D")
days = pd.DataFrame(
    {
        "station": [f"{i}A" for i in rng.integers(1001, 1010, n)],
        "name": rng.choice(["衢州监测站", "Quzhou, Kecheng", '柯城 "东"', "plain"], n),
        "date": dates[rng.integers(0, len(dates), n)].strftime("%Y-%m-%d"),
        "so2": rng.gamma(2, 6, n).round(0),
        "no2": rng.gamma(3, 10, n).round(0),
        "pm10": rng.gamma(3, 40, n).round(0),
        "co": rng.gamma(4, 0.35, n).round(1),
        "pm25": rng.gamma(2.5, 30, n).round(0),
        "o3_8h": rng.gamma(5, 30, n).round(0),
        "o3_1h": rng.gamma(5, 40, n).round(0),
    }
)
days = days.astype({c: object for c in ("so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h")})
for c in ("so2", "co", "o3_1h", "pm25"):
    days.loc[rng.random(n) < 0.05, c] = ""
days.loc[rng.random(n) < 0.03, "pm10"] = " 85 "
days.loc[5, ["so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"]] = ""  # no pollutant at all
days.loc[6, ["pm25", "pm10"]] = [600, 700]  # above the tables
days.loc[7, "co"] = "2.25"  # half on the 0.1 grid
days.loc[8, "pm25"] = "75.5"
for c in ("so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"):
    days[c] = days[c].map(lambda v, c=c: v if isinstance(v, str) else (f"{v:.1f}" if c == "co" else f"{v:.0f}"))
days.to_csv(f"{out}/aqi_days.csv", index=False)
# aqi hourly with so2_24h and time column (hour-ending, 24:00)
n = 300
hours = pd.date_range("2026-02-27 01:00", "2026-03-03 00:00", freq="h")
h = pd.DataFrame(
    {
        "station": [f"{i}A" for i in rng.integers(1001, 1004, n)],
        "time": hours[rng.integers(0, len(hours), n)].strftime("%Y-%m-%d %H:%M"),
        "so2": rng.gamma(2, 200, n).round(0),
        "so2_24h": rng.gamma(2, 150, n).round(0),
        "no2": rng.gamma(3, 30, n).round(0),
        "co": rng.gamma(4, 0.5, n).round(1),
        "o3": rng.gamma(5, 40, n).round(0),
        "pm25": rng.gamma(2.5, 30, n).round(0),
        "pm10": rng.gamma(3, 40, n).round(0),
    }
)
h.loc[3, "time"] = "2026-02-28 24:00"
h.loc[4, "time"] = "2026-03-01 24:00"
h.to_csv(f"{out}/aqi_hours.csv", index=False)
# daily-aqi: 3 stations, 4 days around 2026-03-01, some hours missing, shuffled
stamps = pd.date_range("2026-02-27 01:00", periods=24 * 4, freq="h")
rows = pd.DataFrame({"station_code": np.repeat(["1001A", "1002A", "1003A"], len(stamps)), "time": np.tile(stamps, 3)})
rows = rows.sample(frac=0.93, random_state=4)
rows["time"] = (
    rows["time"]
    .dt.strftime("%Y-%m-%d %H:%M")
    .str.replace(r"(\d{4}-\d\d-)(\d\d) 00:00", lambda m: m.group(0), regex=True)
)
k = len(rows)
for name, scale in (("so2", 10), ("no2", 30), ("pm10", 70), ("co", 0.8), ("o3", 90), ("pm25", 45)):
    v = rng.gamma(3, scale / 3, k).round(1 if name == "co" else 0)
    txt = np.array([f"{x:.1f}" if name == "co" else f"{x:.0f}" for x in v], dtype=object)
    txt[rng.random(k) < 0.08] = ""
    rows[name] = txt
rows.to_csv(f"{out}/hours.csv", index=False)
# water-class: lab values with L, ---, blanks, both bodies, targets in several spellings, Chinese
n = 300
w = pd.DataFrame(
    {
        "section": rng.choice(["衢江 樟树潭", "Qu River, Shuangqiao", "乌溪江", "S4"], n),
        "waterbody": rng.choice(["river", "lake", "湖库", "河流", "", "Reservoir"], n),
        "target_class": rng.choice(["II", "III", "Ⅲ", "III类", "IV", ""], n),
        "ph": rng.normal(7.4, 0.6, n).round(2),
        "do": rng.gamma(8, 0.8, n).round(2),
        "codmn": rng.gamma(3, 1.5, n).round(1),
        "nh3n": rng.gamma(1.5, 0.4, n).round(3),
        "tp": rng.gamma(1.5, 0.08, n).round(3),
        "hg": rng.gamma(1, 0.00003, n).round(5),
    }
)
w = w.astype({c: object for c in ("ph", "do", "codmn", "nh3n", "tp", "hg")})
w.loc[rng.random(n) < 0.1, "nh3n"] = "0.025L"
w.loc[rng.random(n) < 0.05, "tp"] = "---"
w.loc[rng.random(n) < 0.05, "hg"] = "0.00004L"
w.loc[rng.random(n) < 0.05, "codmn"] = ""
w.loc[rng.random(n) < 0.03, "do"] = " 6.5 "
w.to_csv(f"{out}/water.csv", index=False)
# four of the even rows' 00:00 times written as the previous day's 24:00 (the same hour)
f = pd.read_csv(f"{out}/hours.csv", dtype=str, keep_default_na=False)
m = f["time"].str.endswith("00:00") & (f.index % 2 == 0)
f.loc[m, "time"] = (pd.to_datetime(f.loc[m, "time"]) - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d") + " 24:00"
f.to_csv(f"{out}/hours.csv", index=False)
