"""The calculators write, byte for byte, what the release before issue 18's speed work wrote (see
tests/data/calculators/README.md): the columnar reader and writer change the speed, not the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.calculators import aqi_csv, daily_aqi_csv, water_class_csv

GOLDEN = Path(__file__).resolve().parent / "data" / "calculators"

CASES = [
    ("aqi_days.csv", "aqi_days.daily.out.csv", lambda i, o: aqi_csv(i, o, "daily", None)),
    ("aqi_days.csv", "aqi_days.2026.out.csv", lambda i, o: aqi_csv(i, o, "daily", "2026")),
    ("aqi_hours.csv", "aqi_hours.hourly.out.csv", lambda i, o: aqi_csv(i, o, "hourly", None)),
    ("hours.csv", "hours.daily_aqi.out.csv", daily_aqi_csv),
    ("water.csv", "water.out.csv", water_class_csv),
]


@pytest.mark.parametrize("source,expected,run", CASES, ids=[c[1] for c in CASES])
def test_output_is_byte_identical_to_the_previous_release(tmp_path, source, expected, run):
    out = tmp_path / "out.csv"
    run(str(GOLDEN / source), str(out))
    assert out.read_bytes() == (GOLDEN / expected).read_bytes()
