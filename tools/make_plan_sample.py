"""Write the bundled SYNTHETIC inputs beyond sensors (data/sample/plan/): precipitation samples and
regional-noise grid points for 2018 and 2019. Seeded and reproducible; not measurements. (The annual
statistics sample, statistics_2014-2019.csv, is written by hand and documented in the README there.)"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "data" / "sample" / "plan"
rng = np.random.default_rng(811)


def precipitation() -> None:
    with (OUT / "precipitation_2018-2019.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["station", "date", "ph", "rainfall_mm"])
        for year, mean_ph in ((2018, 5.05), (2019, 5.25)):  # acidity easing: frequency and acidity fall
            days = np.sort(rng.choice(np.arange(365), 110, replace=False))
            for day in days:
                date = np.datetime64(f"{year}-01-01") + np.timedelta64(int(day), "D")
                writer.writerow(
                    ["衢州市区", str(date), f"{rng.normal(mean_ph, 0.45):.2f}", f"{rng.lognormal(2.0, 0.9):.1f}"]
                )


def noise() -> None:
    cities = {"衢州": (54.2, 120), "江山": (54.8, 100), "常山": (53.9, 100), "开化": (52.6, 100), "龙游": (55.6, 100)}
    zones = ["1", "2", "2", "3", "4a"]
    with (OUT / "noise_2018-2019.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["year", "city", "point_code", "zone", "leq_dba"])
        for year in (2018, 2019):
            for city, (mean, n) in cities.items():
                for i in range(n):
                    writer.writerow(
                        [
                            year,
                            city,
                            f"{city}-{i + 1:03d}",
                            zones[i % 5],
                            f"{rng.normal(mean - 0.2 * (year - 2018), 3.0):.1f}",
                        ]
                    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    precipitation()
    noise()
    print(f"wrote {OUT}")
