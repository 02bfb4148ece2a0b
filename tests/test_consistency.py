"""One list per concept: the glossary, the GX suites, the schema and the SQL agree; the plan registry and
the computed indicators name the same ids; every SQL file the code names exists and every DML file is used.

These are the checks that make "adding a pollutant" or "adding a computed plan target" touch the files the
README's architecture section lists and no more: a file forgotten fails here, naming what to add.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pipeline.glossary import AIR_ITEMS, ANNUAL_AIR_STATISTICS, DAILY_AIR_STATISTICS, SOURCE_ITEMS, WATER_ITEMS
from pipeline.ingest.hj212 import CODES as HJ212_CODES
from pipeline.plan.indicators import INDICATORS
from pipeline.plan.registry import GOAL_OF, plan_goal, read_registry
from pipeline.store.engine import SQL_DIR, make_engine
from pipeline.store.schema import create_schema

REPO = Path(__file__).resolve().parents[1]


def suite(name: str) -> list[dict]:
    return json.loads((REPO / "expectations" / f"{name}.json").read_text(encoding="utf-8"))["expectations"]


def value_set(name: str, column: str) -> set[str]:
    (found,) = [
        e["kwargs"]["value_set"]
        for e in suite(name)
        if e["type"] == "expect_column_values_to_be_in_set"
        and e["kwargs"].get("column") == column
        and not e["kwargs"].get("row_condition")
    ]
    return set(found)


def units_by_condition(name: str, item_column: str) -> dict[str, str]:
    """item -> unit, from the suite's ``unit in [...]`` expectations conditioned on ``item in [...]``
    (or ``==``); items of a ``not in`` condition get that unit for every item not listed elsewhere."""
    listed, rest = {}, None
    for e in suite(name):
        kwargs = e["kwargs"]
        if e["type"] != "expect_column_values_to_be_in_set" or kwargs.get("column") != "unit":
            continue
        (unit,) = kwargs["value_set"]
        condition = kwargs["row_condition"]
        items = re.findall(r'"([^"]+)"', condition)
        if " not in " in condition:
            rest = unit
        else:
            listed |= dict.fromkeys(items, unit)
    return listed, rest


@pytest.fixture(scope="module")
def schema():
    engine = make_engine("sqlite:///:memory:")
    create_schema(engine)
    inspector = sa.inspect(engine)
    tables = {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}
    tables |= {v: {c["name"] for c in inspector.get_columns(v)} for v in inspector.get_view_names()}
    return tables


def test_the_air_suite_knows_every_glossary_air_item_and_its_unit():
    assert value_set("air_hourly", "pollutant") == set(AIR_ITEMS)
    listed, rest = units_by_condition("air_hourly", "pollutant")
    for code, item in AIR_ITEMS.items():
        assert listed.get(code, rest) == item.unit, f"air_hourly suite: unit of {code} is not {item.unit}"


def test_the_water_suite_knows_every_glossary_water_item_its_unit_and_its_range():
    assert value_set("water_samples", "item") == set(WATER_ITEMS)
    listed, rest = units_by_condition("water_samples", "item")
    for code, item in WATER_ITEMS.items():
        assert listed.get(code, rest) == item.unit, f"water_samples suite: unit of {code} is not {item.unit}"
    ranged = {
        re.fullmatch(r'item == "([^"]+)"', e["kwargs"]["row_condition"]).group(1)
        for e in suite("water_samples")
        if e["type"] == "expect_column_values_to_be_between" and "==" in (e["kwargs"].get("row_condition") or "")
    }
    assert ranged == set(WATER_ITEMS), f"items without a plausible range: {set(WATER_ITEMS) - ranged}"


def test_the_source_suite_knows_every_item_the_hj212_reader_gives():
    assert value_set("source_readings", "item") == set(HJ212_CODES.values()) == set(SOURCE_ITEMS)


def test_the_day_tables_have_a_column_for_every_daily_statistic_and_iaqi(schema):
    for table in ("air_station_day", "air_city_day"):
        missing = set(DAILY_AIR_STATISTICS) - schema[table]
        assert not missing, f"{table} lacks {missing}"
    iaqi = {c.removeprefix("iaqi_") for c in schema["air_station_day"] if c.startswith("iaqi_")}
    assert iaqi == {"so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"}
    assert set(ANNUAL_AIR_STATISTICS) <= set(DAILY_AIR_STATISTICS)


def test_every_insert_names_columns_of_its_table_and_binds_each(schema):
    checked = 0
    for path in sorted((SQL_DIR / "dml").rglob("insert_*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        found = re.search(r"INSERT INTO\s+(\w+)\s*\(([^)]*)\)", text, re.I)
        if not found or "SELECT" in text.upper().split("VALUES")[0][found.end() :]:
            continue  # INSERT ... SELECT: the columns come from a query
        table, columns = found.group(1), [c.strip() for c in found.group(2).split(",")]
        assert set(columns) <= schema[table], f"{path.name}: {set(columns) - schema[table]} not in {table}"
        values = text[found.end() :]
        binds = re.findall(r":(\w+)", values.split("ON CONFLICT")[0])
        assert set(binds) <= set(columns), f"{path.name}: binds {set(binds) - set(columns)}, not columns it names"
        checked += 1
    assert checked >= 20


def test_registry_ids_are_indicator_ids():
    registry = read_registry()
    computed = registry[registry["measured_by"] == "computed"]
    unknown = set(computed["source_indicator"]) - set(INDICATORS)
    assert not unknown, f"registry targets measured by indicators nobody computes: {unknown}"
    assert set(GOAL_OF) <= set(INDICATORS) and set(GOAL_OF.values()) <= set(computed["source_indicator"])


def test_every_absolute_computed_target_is_the_goal_its_indicator_rows_carry():
    registry = read_registry()
    absolute = registry[(registry["measured_by"] == "computed") & (registry["kind"] == "absolute")]
    for row in absolute.itertuples():
        assert plan_goal(row.source_indicator, int(row.deadline)) == (row.comparator, row.value), row.id


def sql_names_in_code() -> set[str]:
    """Every string literal of pipeline/, dags/ and bench/ that names a SQL file (``dml/...``)."""
    names = set()
    files = [
        *REPO.joinpath("pipeline").rglob("*.py"),
        *REPO.joinpath("dags").glob("*.py"),
        *REPO.joinpath("bench").glob("*.py"),
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"(dml|ddl|views)/[\w/]*[a-z0-9]", node.value):  # not an f-string's head
                    names.add(node.value)
    return names


def reading_tables():
    from pipeline.jobs.annual import TABLES
    from pipeline.store.tables import AIR_HOURLY, SOURCE_READINGS, water_samples

    return [AIR_HOURLY, SOURCE_READINGS, water_samples("auto"), water_samples("manual"), *TABLES.values()]


def test_every_sql_file_a_name_in_code_points_to_exists():
    names = sql_names_in_code()
    for table in reading_tables():
        names |= {v for v in vars(table).values() if isinstance(v, str) and v.startswith("dml/")}
    missing = sorted(n for n in names if not (SQL_DIR / f"{n}.sql").is_file())
    assert not missing, f"named in code, no file: {missing}"


def test_every_dml_file_is_used_and_sits_with_its_table():
    names = sql_names_in_code()
    for table in reading_tables():
        names |= {v for v in vars(table).values() if isinstance(v, str) and v.startswith("dml/")}
    files = {p.relative_to(SQL_DIR).with_suffix("").as_posix() for p in (SQL_DIR / "dml").rglob("*.sql")}
    unused = sorted(files - names)
    assert not unused, f"SQL files no code names (dead, or named by a string built in code): {unused}"


def test_a_new_water_item_needs_only_the_files_the_readme_names(warehouse, tmp_path, monkeypatch):
    """README, "Walk-through: adding a water pollutant": the glossary and the suite, nothing else, and the
    item is read, validated, loaded and stored; with the glossary alone the consistency checks refuse it."""
    import copy

    from pipeline import glossary, validate
    from pipeline.jobs import water

    monkeypatch.setitem(glossary.WATER_ITEMS, "sb", glossary.Item("sb", "锑", "Antimony", glossary.MGL))
    with pytest.raises(AssertionError):  # step 1 alone: the suite does not know it yet
        test_the_water_suite_knows_every_glossary_water_item_its_unit_and_its_range()

    suites = tmp_path / "expectations"
    suites.mkdir()
    for path in (REPO / "expectations").glob("*.json"):
        (suites / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    water_suite = json.loads((suites / "water_samples.json").read_text(encoding="utf-8"))
    expectations = water_suite["expectations"]
    for e in expectations:
        kwargs = e["kwargs"]
        if kwargs.get("column") == "item" and "value_set" in kwargs:
            kwargs["value_set"].append("sb")
        if kwargs.get("column") == "unit" and kwargs.get("value_set") == ["mg/L"]:
            kwargs["row_condition"] = kwargs["row_condition"].replace('"cd"', '"cd", "sb"')
    (cd_range,) = [e for e in expectations if (e["kwargs"].get("row_condition") or "") == 'item == "cd"']
    sb_range = copy.deepcopy(cd_range)
    sb_range["kwargs"]["row_condition"] = 'item == "sb"'
    expectations.append(sb_range)
    (suites / "water_samples.json").write_text(json.dumps(water_suite, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(validate, "EXPECTATIONS_DIR", suites)
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    test_the_water_suite_knows_every_glossary_water_item_its_unit_and_its_range()  # step 2: consistent again

    samples = tmp_path / "lab_2019-07.csv"
    samples.write_text("section_code,time,ph,do,sb\nQZW01,2019-07-03 10:00,7.1,7.5,0.004\n", encoding="utf-8")
    loaded = water.load_files(warehouse, [samples])
    assert [(b["rows_loaded"], b["rows_quarantined"]) for b in loaded["batches"]] == [(3, 0)]
    with warehouse.connect() as conn:
        stored = conn.execute(sa.text("SELECT value, unit FROM water_sample WHERE item = 'sb'")).one()
    assert stored == (0.004, "mg/L")


def test_every_sql_list_of_measured_pollutants_is_the_glossarys():
    """SQL cannot import the glossary: each ``pollutant IN (...)`` of sql/ must list its six measured pollutants."""
    from pipeline.glossary import MEASURED_AIR_POLLUTANTS

    found = 0
    for path in SQL_DIR.rglob("*.sql"):
        for listed in re.findall(r"pollutant IN \(([^)]*)\)", path.read_text(encoding="utf-8")):
            codes = set(re.findall(r"'(\w+)'", listed))
            if len(codes) > 2 and codes <= set(AIR_ITEMS):  # a deliberate pair (O3, PM2.5) is not the list
                assert codes == set(MEASURED_AIR_POLLUTANTS), f"{path.name}: {sorted(codes)}"
                found += 1
    assert found >= 2


def test_statements_are_grouped_by_the_table_they_write_or_read():
    """sql/dml/<table>/ for a table's statements, dml/reports/ for reads of the analyst views, dml/postgresql/ for
    what only PostgreSQL has; nothing loose in sql/dml/."""
    assert not list((SQL_DIR / "dml").glob("*.sql"))
    for path in (SQL_DIR / "dml").rglob("*.sql"):
        folder = path.parent.name
        if folder in ("reports", "postgresql"):
            continue
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert re.search(rf"\b{folder}\b", text), f"{path.relative_to(SQL_DIR)} does not touch {folder}"
