"""The peer's way for ``daily-aqi``: hourly rows in with the csv module, each station-day's statistics in a
plain Python loop, aqi-hub 0.3.3 ``cal_aqi_cn`` once per station-day, csv module out.

Run by bench/calculators.py in its own venv (``.venv-peer``): ``peer_daily_aqi_hub.py IN.csv OUT.csv``. Reads
``station_code,time,so2,no2,pm10,co,o3,pm25`` (hour-ending ``YYYY-MM-DD HH:MM``; ``00:00`` or ``24:00`` closes
the day before; empty = missing) and does the work of ``python -m pipeline daily-aqi IN.csv -o OUT.csv``: 24-h
means with >= 20 hours, the 17 8-h O3 windows ending 08:00-24:00 (>= 6 hours each) and their max (>= 14
windows or > 160), max 1-h O3 with >= 20 hours, then the AQI of the day.
"""

import csv
import datetime as dt
import sys
import warnings
from functools import cache

from aqi_hub.aqi_cn.aqi import cal_aqi_cn

POLLUTANTS = ("so2", "no2", "pm10", "co", "o3", "pm25")


@cache
def day_and_slot(time: str) -> tuple[str, int]:
    """(natural day, hour slot 0-23) of an hour-ending time."""
    day, hour = dt.date.fromisoformat(time[:10]), int(time[11:13])
    if hour == 0:
        day, hour = day - dt.timedelta(days=1), 24
    return day.isoformat(), hour - 1


def number(text: str):
    text = text.strip()
    return float(text) if text else None


def statistics(hours: list) -> dict:
    """One station-day's daily statistics from its 24 slots (None = missing)."""
    stats = {}
    for j, name in enumerate(POLLUTANTS):
        values = [h[j] for h in hours if h is not None and h[j] is not None]
        if name == "o3":
            windows = []
            for end in range(8, 25):
                window = [h[j] for h in hours[end - 8 : end] if h is not None and h[j] is not None]
                if len(window) >= 6:
                    windows.append(sum(window) / len(window))
            best = round(max(windows)) if windows else None
            stats["o3_8h"] = best if best is not None and (len(windows) >= 14 or best > 160) else None
            stats["o3_1h"] = max(values) if len(values) >= 20 else None
        else:
            stats[name] = round(sum(values) / len(values), 1 if name == "co" else 0) if len(values) >= 20 else None
    return stats


def main(source: str, target: str) -> None:
    warnings.filterwarnings("ignore")  # aqi-hub warns on every missing value
    days: dict[tuple[str, str], list] = {}
    with open(source, newline="", encoding="utf-8") as fin:
        for row in csv.DictReader(fin):
            day, slot = day_and_slot(row["time"].strip())
            hours = days.setdefault((row["station_code"].strip(), day), [None] * 24)
            hours[slot] = [number(row[p]) for p in POLLUTANTS]
    with open(target, "w", newline="", encoding="utf-8") as fout:
        writer = csv.writer(fout)
        writer.writerow(["station_code", "date", "so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h", "aqi"])
        for (station, day), hours in sorted(days.items()):
            s = statistics(hours)
            aqi, _ = cal_aqi_cn(s["pm25"], s["pm10"], s["so2"], s["no2"], s["co"], s["o3_8h"], "daily")
            writer.writerow([station, day, *("" if s[k] is None else s[k] for k in
                             ("so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h")), "" if aqi is None else aqi])  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
