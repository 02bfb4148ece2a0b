"""Write the bundled SYNTHETIC pollution-source month (data/sample/sources/) for the sample outlets.

Seeded and reproducible. HJ 212-2017 hourly uploads (CN 2061) of two flue-gas outlets as a platform
log, and CSV exports of two wastewater outlets, for July 2019. Built in: a few SO2 hours above the
limit at QZS01, a stopped day (flag F) and maintenance hours (M), a day of high ammonia at the sewage
works QZS03, and, in the log, a message with a bad CRC, one the log wrapped over two lines, one
real-time (CN 2011) upload and one whose DataTime lies in the future of the month.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.ingest.hj212 import frame  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "sample" / "sources"
rng = np.random.default_rng(20190702)
HOURS = np.arange(np.datetime64("2019-07-01T00"), np.datetime64("2019-08-01T00"), np.timedelta64(1, "h"))
FLUE = {  # outlet: (mn, so2, nox, pm mg/m3 at ~ref O2, O2 %, flow m3/s)
    "QZS01": ("QZ0001A8900016F0001", 120.0, 55.0, 12.0, 7.5, 160.0),
    "QZS02": ("QZ0002A8900016F0002", 8.0, 60.0, 2.0, 4.0, 12.0),
}


def flag_for(outlet: str, t: np.datetime64) -> str:
    day = int(str(t)[8:10])
    hour = int(str(t)[11:13])
    if outlet == "QZS01" and day == 20:
        return "F"  # boiler stopped all day
    if outlet == "QZS01" and day == 8 and hour in (9, 10, 11):
        return "M"
    if hour == 9 and day % 7 == 0:
        return "C"  # weekly calibration
    return "N"


def log_file() -> None:
    lines = []
    for t in HOURS:
        for outlet, (mn, so2, nox, pm, o2, flow) in FLUE.items():
            flag = flag_for(outlet, t)
            scale = 0.0 if flag == "F" else 1.0
            so2_now = so2 * rng.lognormal(0, 0.12)
            if outlet == "QZS01" and str(t)[:13] in ("2019-07-12T14", "2019-07-12T15", "2019-07-12T16"):
                so2_now = 205.0  # desulphurisation upset: above 200 at 6 % O2
            o2_now = o2 + rng.normal(0, 0.3)
            stamp = str(t).replace("-", "").replace("T", "") + "0000"
            cp = (
                f"DataTime={stamp};a21026-Avg={scale * so2_now:.1f},a21026-Flag={flag};"
                f"a21002-Avg={scale * nox * rng.lognormal(0, 0.1):.1f},a21002-Flag={flag};"
                f"a34013-Avg={scale * pm * rng.lognormal(0, 0.15):.2f},a34013-Flag={flag};"
                f"a19001-Avg={o2_now if scale else 20.9:.2f},a19001-Flag={flag};"
                f"a00000-Avg={scale * flow * rng.lognormal(0, 0.05):.2f},a00000-Flag={flag}"
            )
            segment = f"QN={stamp}000;ST=31;CN=2061;PW=123456;MN={mn};Flag=4;CP=&&{cp}&&"
            lines.append(frame(segment).rstrip("\r\n"))
    good = lines[10]
    lines.insert(11, good[:-4] + ("0000" if not good.endswith("0000") else "FFFF"))  # bad CRC
    wrapped = lines[20]
    lines[20] = wrapped[:80] + "\n" + wrapped[80:]  # the platform log wrapped a long line
    lines.append(
        frame(
            "QN=20190701000000000;ST=31;CN=2011;PW=123456;MN=QZ0001A8900016F0001;Flag=4;CP=&&DataTime=20190701000000;a21026-Rtd=120.0,a21026-Flag=N&&"
        ).rstrip()
    )
    lines.append(
        frame(
            "QN=20990701000000000;ST=31;CN=2061;PW=123456;MN=QZ0002A8900016F0002;Flag=4;CP=&&DataTime=20990701000000;a21026-Avg=8.0,a21026-Flag=N&&"
        ).rstrip()
    )
    (OUT / "hj212_platform_2019-07.log").write_text("\n".join(lines) + "\n", encoding="ascii")


def export_file() -> None:
    with (OUT / "wastewater_export_2019-07.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["enterprise", "outlet", "hour", "pollutant", "concentration", "o2", "flow", "flag"])
        for t in HOURS:
            hour = str(t).replace("T", " ") + ":00"
            flow = 2000 * rng.lognormal(0, 0.1)
            nh3n = 1.5 if str(t)[:10] != "2019-07-18" else 6.5  # nitrification failure on the 18th
            for pollutant, level in (("cod", 25.0), ("nh3n", nh3n), ("tp", 0.3), ("tn", 10.0)):
                writer.writerow(
                    [
                        "示例城市污水处理厂(虚构)",
                        "QZS03",
                        hour,
                        pollutant,
                        f"{level * rng.lognormal(0, 0.1):.2f}",
                        "",
                        f"{flow:.0f}",
                        flag_for("QZS03", t),
                    ]
                )
            plating_flow = 20 * rng.lognormal(0, 0.1)
            for pollutant, level in (("pb", 0.05), ("cd", 0.01), ("cod", 40.0)):
                writer.writerow(
                    [
                        "示例电镀有限公司(虚构)",
                        "QZS05",
                        hour,
                        pollutant,
                        f"{level * rng.lognormal(0, 0.2):.4f}",
                        "",
                        f"{plating_flow:.1f}",
                        flag_for("QZS05", t),
                    ]
                )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    log_file()
    export_file()
    print(f"wrote {OUT}/hj212_platform_2019-07.log and wastewater_export_2019-07.csv")
