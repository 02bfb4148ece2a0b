"""The target registry against the plan's text, the scoreboard on the sample year, the CLI."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.plan.registry import read_registry
from tests.conftest import SHARED

REGISTRY = read_registry()
PLAN = SHARED / "seed" / "000_61fe88dc0e2e6ae0.txt"


def test_registry_is_complete_and_well_formed():
    assert len(REGISTRY) >= 46 and REGISTRY["id"].is_unique
    assert set(REGISTRY["comparator"]) <= {">=", ">", "<=", "<", "="}
    assert set(REGISTRY["kind"]) <= {
        "absolute",
        "relative_change",
        "vs_previous_year",
        "vs_supplied_cap",
        "limit_in_force",
    }
    assert REGISTRY.loc[REGISTRY["kind"] == "relative_change", "baseline_year"].notna().all()
    assert set(REGISTRY["measured_by"]) == {"computed", "statistic"}


@pytest.mark.parametrize(
    "target_id,comparator,value,deadline",
    [
        ("air.good_day_ratio", ">", 95, 2015),  # 城市空气质量达到二级标准天数比例大于95%
        ("water.qiantang_compliance", ">=", 90, 2015),
        ("water.drinking_county_2012", ">=", 95, 2012),
        ("water.drinking_county_2015", ">=", 100, 2015),
        ("water.drinking_township", ">=", 75, 2015),
        ("forest.coverage", ">=", 71, 2015),
        ("heavy_metal.pb_reduction", "<=", -5, 2015),
        ("dioxin.key_industry_intensity", "<=", -10, 2015),
    ],
)
def test_sample_of_targets_has_the_plans_values(target_id, comparator, value, deadline):
    row = REGISTRY.set_index("id").loc[target_id]
    assert (row["comparator"], row["value"], row["deadline"]) == (comparator, value, deadline)
    assert str(abs(value)) in row["plan_text"]


def test_every_numeric_target_quotes_its_number():
    """Each number is the plan's own, except the documented readings: "all"/"full coverage" as 100 %,
    and the Grade II annual means as GB 3095-2012's limits (registry header)."""
    numeric = REGISTRY[REGISTRY["value"].notna() & (REGISTRY["kind"] == "absolute")]
    for row in numeric.itertuples():
        number = f"{abs(row.value):g}"
        quoted = re.search(rf"(?<![\d.]){re.escape(number)}", row.plan_text)
        read_as_all = row.value == 100 and re.search("全|实现|保持", row.plan_text)
        assert quoted or read_as_all or row.id.startswith("air.annual_"), row.id


def test_every_quote_is_in_the_plan_text():
    if not PLAN.exists():
        pytest.skip("../shared/seed is not beside this checkout")
    text = PLAN.read_text(encoding="utf-8", errors="replace")
    missing = [row.id for row in REGISTRY.itertuples() if row.plan_text not in text]
    assert missing == []


def test_targets_cli_csv(capsys):
    assert main(["targets", "--format", "csv"]) == 0
    listed = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    expected = [
        "id",
        "indicator_zh",
        "indicator_en",
        "comparator",
        "value",
        "unit",
        "baseline_year",
        "deadline",
        "scope",
        "measured_by",
    ]
    assert list(listed.columns[: len(expected)]) == expected and len(listed) == len(REGISTRY)


def test_scoreboard_cli_on_the_sample_statistics(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'wh.db'}")
    assert main(["init-db"]) == 0
    from tests.conftest import REPO

    sample = REPO / "data" / "sample" / "plan"
    assert main(["ingest", "statistics", str(sample / "statistics_2014-2019.csv")]) == 0
    assert main(["ingest", "precipitation", str(sample / "precipitation_2018-2019.csv")]) == 0
    capsys.readouterr()
    assert main(["scoreboard", "--year", "2019"]) == 0
    board = capsys.readouterr().out
    assert re.search(r"forest\.coverage\s+森林覆盖率\s+Forest coverage\s+71\.5\s+>=\s+71\s+%\s+2015\s+达标 met", board)
    assert re.search(r"waste\.industrial_solid_reuse_rate.*93\.2\s+>=\s+95.*未达标 missed", board)
    assert re.search(r"acid_rain\.frequency.*<.*达标 met", board)  # lower than 2018


def test_statistics_in_other_units_are_judged_in_the_targets_unit(tmp_path, monkeypatch, capsys):
    """Issue 28.5: 650 ‰ forest cover is 65 % (missed against >= 71 %, not "650 %, met"); a ratio 0.8 for a %
    target is 80 % (not "0.8 %, missed"); kg for a % target is quarantined naming both units."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'wh.db'}"
    monkeypatch.setenv("QZ811_DB_URL", url)
    assert main(["init-db"]) == 0
    path = tmp_path / "statistics_2019.csv"
    path.write_text("indicator_id,year,scope,value,unit\n"
                    "forest.coverage,2019,衢州,650,‰\n"
                    "waste.industrial_solid_reuse_rate,2019,衢州,0.96,ratio\n"
                    "waste.urban_sewage_treatment_rate,2019,衢州,93.5,kg\n"
                    "heavy_metal.pb_reduction,2019,衢州,700,kg\n", encoding="utf-8")  # fmt: skip
    assert main(["ingest", "statistics", str(path)]) == 0
    assert "4 read, 3 loaded, 1 quarantined" in capsys.readouterr().out
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT indicator_id, value || ' ' || unit FROM annual_statistic")).all())
        (reason,) = conn.execute(sa.text("SELECT reason FROM quarantine")).scalars().all()
    engine.dispose()
    # a relative target's quantity (a reduction against 2009) is kept in its family's first unit: 700 kg = 0.7 t
    assert stored == {"forest.coverage": "65.0 %", "waste.industrial_solid_reuse_rate": "96.0 %",
                      "heavy_metal.pb_reduction": "0.7 t"}  # fmt: skip
    assert reason == "unit 'kg' cannot be compared with the target's '%'"
    assert main(["scoreboard", "--year", "2019"]) == 0
    board = capsys.readouterr().out
    assert re.search(r"forest\.coverage\s+森林覆盖率\s+Forest coverage\s+65\s+>=\s+71\s+%.*未达标 missed", board)
    assert re.search(r"waste\.industrial_solid_reuse_rate.*96\s+>=\s+95.*达标 met", board)


def test_noise_and_acid_rain_indicators_from_the_samples(warehouse):
    from pipeline.jobs import annual
    from tests.conftest import REPO

    sample = REPO / "data" / "sample" / "plan"
    annual.ingest(warehouse, "noise", [sample / "noise_2018-2019.csv"])
    annual.ingest(warehouse, "precipitation", [sample / "precipitation_2018-2019.csv"])
    with warehouse.connect() as conn:
        rows = pd.read_sql("SELECT indicator, period, value, n FROM indicator WHERE period = '2019'", conn).set_index(
            "indicator"
        )
    assert rows.loc["noise.county_share_below_55", "n"] == 5  # the central city and four county-level cities
    assert rows.loc["noise.county_share_below_55", "value"] in (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
    assert 0 < rows.loc["noise.zone_compliance", "value"] < 100 and rows.loc["noise.zone_compliance", "n"] == 520
    assert rows.loc["acid_rain.frequency", "n"] == 110 and 4 < rows.loc["acid_rain.mean_ph", "value"] < 6
