"""Security: names carrying quotes and SQL fragments are stored verbatim and harm nothing (every
statement binds its parameters), and no secret is committed (settings come from the environment or
Airflow connections)."""

from __future__ import annotations

import re
import subprocess

import pytest
import sqlalchemy as sa

from tests.conftest import REPO

EVIL = "O'Brien\"; DROP TABLE station; -- 衢州 ' OR '1'='1"


def check_stored_verbatim(engine, tmp_path):
    from pipeline.cli import main  # noqa: F401  (the CLI path is exercised in the quarantine test)
    from pipeline.store.engine import sql
    from pipeline.store.schema import load_stations

    with engine.begin() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*) FROM station")).scalar_one()
        load_stations(conn, [{"station_code": "EV1L'", "name_zh": EVIL, "city_zh": EVIL, "province_zh": None,
                              "prefecture_zh": None, "county_zh": None, "lon": None, "lat": None,
                              "is_background": False, "source": EVIL}])  # fmt: skip
        conn.execute(sql("dml/water_section/insert_water_section"), {
            "section_code": "EV'01", "name_zh": EVIL, "waterbody": "river", "river_zh": EVIL, "basin_zh": EVIL,
            "county_zh": EVIL, "is_qiantang_mainstream": False, "drinking_source_level": None, "target_class": 3,
            "has_auto_station": False, "name_origin": EVIL})  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM station")).scalar_one() == before + 1
        name = conn.execute(sa.text("SELECT name_zh FROM station WHERE station_code = :c"), {"c": "EV1L'"}).scalar_one()
        river = conn.execute(sa.text("SELECT river_zh FROM water_section WHERE section_code = :c"), {"c": "EV'01"})
        assert name == EVIL and river.scalar_one() == EVIL


def test_sql_fragments_in_names_are_stored_verbatim_on_sqlite(warehouse, tmp_path):
    check_stored_verbatim(warehouse, tmp_path)


def test_sql_fragments_in_names_are_stored_verbatim_on_postgresql(pg_warehouse, tmp_path):
    check_stored_verbatim(pg_warehouse, tmp_path)


def test_sql_fragment_in_a_file_is_quarantined_verbatim(warehouse, tmp_path, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", str(warehouse.url))
    path = tmp_path / "air_2019-02-10.csv"
    code = "1264A'); DELETE FROM air_hourly; --"
    path.write_text(
        "station_code,time,pollutant,value,unit\n"
        f'"{code}",2019-02-10 05:00,pm25,35,ug/m3\n'
        "1264A,2019-02-10 05:00,pm10,50,ug/m3\n",
        encoding="utf-8",
    )
    assert main(["ingest", "air", str(path)]) == 0, capsys.readouterr().err
    with warehouse.connect() as conn:
        quarantined = conn.execute(sa.text("SELECT reason, raw_record FROM quarantine")).all()
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_hourly")).scalar_one() == 1
    assert len(quarantined) == 1 and "unknown station" in quarantined[0].reason
    assert code in quarantined[0].raw_record


SECRET = re.compile(
    r"""(?ix)
    (password|passwd|secret|api[_-]?key|token)\s*(=|:\s)\s*["'][^"'\s$]{4,}["']   # a literal assigned in code
    | AKIA[0-9A-Z]{16}                                                            # an AWS access key
    | -----BEGIN\ [A-Z ]*PRIVATE\ KEY-----                                       # a private key
    | postgres(ql)?(\+psycopg)?://[^:/\s]+:[^@\s$]+@                              # a URL with a password
    """
)


def test_the_secret_pattern_finds_secrets_and_not_settings():
    for leak in ('password = "hunter22"', "token: 'abcd1234'", "postgresql+psycopg://qz811:s3cret@db/qz811",
                 "AKIAABCDEFGHIJKLMNOP", "-----BEGIN RSA PRIVATE KEY-----"):  # fmt: skip
        assert SECRET.search(leak), leak
    for setting in ("password=conn.password or None", "PASSWORD :'loader_password'",
                    "postgresql+psycopg://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres"):  # fmt: skip
        assert not SECRET.search(setting), setting


def test_no_secret_is_committed():
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    found = []
    for name in files:
        path = REPO / name
        skipped = name.startswith("data/") or name == "tests/test_security.py"  # data; this file's own samples
        if not path.is_file() or path.suffix in (".png", ".xlsx", ".npy", ".pkl") or skipped:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {m.group(0)}" for m in SECRET.finditer(text)]
    assert found == []
    assert ".env" in (REPO / ".gitignore").read_text().split()
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        if "PASSWORD=" in line:
            assert line.split("=", 1)[1].startswith("change-me"), line  # placeholders only
