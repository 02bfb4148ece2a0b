"""The peer's way: aqi-hub 0.3.3 ``cal_aqi_cn`` called once per station-day, csv module in and out.

Run by bench/calculators.py in its own venv (``.venv-peer``): ``peer_aqi_hub.py IN.csv OUT.csv``. Reads the
columns ``station,date,so2,no2,pm10,co,pm25,o3_8h`` (daily values; empty = missing) and writes each row with
its AQI and IAQIs: the same work as ``python -m pipeline aqi IN.csv -o OUT.csv --mode daily``.
"""

import csv
import sys
import warnings

from aqi_hub.aqi_cn.aqi import cal_aqi_cn


def number(text: str):
    text = text.strip()
    return float(text) if text else None


def main(source: str, target: str) -> None:
    warnings.filterwarnings("ignore")  # aqi-hub warns on every missing value
    with open(source, newline="", encoding="utf-8") as fin, open(target, "w", newline="", encoding="utf-8") as fout:
        reader = csv.DictReader(fin)
        writer = csv.writer(fout)
        writer.writerow(
            [*reader.fieldnames, "aqi", "iaqi_pm25", "iaqi_pm10", "iaqi_so2", "iaqi_no2", "iaqi_co", "iaqi_o3"]
        )
        for row in reader:
            aqi, iaqi = cal_aqi_cn(number(row["pm25"]), number(row["pm10"]), number(row["so2"]), number(row["no2"]),
                                   number(row["co"]), number(row["o3_8h"]), "daily")  # fmt: skip
            writer.writerow([*row.values(), "" if aqi is None else aqi,
                             *("" if iaqi[k] is None else iaqi[k] for k in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3"))])  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
