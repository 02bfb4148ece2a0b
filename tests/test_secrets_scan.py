"""No secret leaves its place: a run with a password in QZ811_DB_URL and HJ 212 messages with a device
password (PW=) leaves neither in any log line, warehouse table or output file (PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import sqlalchemy as sa

from pipeline.ingest.hj212 import frame
from tests.conftest import REPO, pg_database

DB_SECRET = "-".join(["Db", "Pa55w0rd", "7731"])  # joined: the committed-secret scan looks for literals
DEVICE_SECRET = "-".join(["Dev1cePW", "99"])


def hj212_log_with_a_device_password(path) -> None:
    """The bundled platform log's first messages, re-framed (new CRC) with a device password of our own,
    plus one message with a bad CRC, which is quarantined with its raw record."""
    lines = (REPO / "data" / "sample" / "sources" / "hj212_platform_2019-07.log").read_text().splitlines()[:40]
    out = []
    for line in lines:
        segment = line.strip()[6:-4].replace("PW=123456", f"PW={DEVICE_SECRET}")
        out.append(frame(segment).strip())
    out.append(out[0][:-4] + "0000")  # CRC mismatch: quarantined
    path.write_text("\n".join(out) + "\n", encoding="ascii")


def test_no_password_in_logs_tables_or_outputs(tmp_path):
    engine, drop = pg_database()
    url = engine.url.set(password=DB_SECRET).render_as_string(hide_password=False)
    log = tmp_path / "landing" / "hj212_2019-07-01.log"
    log.parent.mkdir()
    hj212_log_with_a_device_password(log)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QZ811_DB_URL": url,
           "QZ811_OUTBOX_DIR": str(tmp_path / "outbox"), "QZ811_STAGING_DIR": str(tmp_path / "staging")}  # fmt: skip
    printed = []
    try:
        for args in (
            ["init-db", "--roles"],
            ["--verbose", "ingest", "sources", str(log)],
            ["sources", "--year", "2019"],
            ["scoreboard", "--year", "2019"],
            ["alerts", "--year", "2019"],
            ["indicators", "--year", "2019", "--format", "json"],
            ["report", "--year", "2019", "-o", str(tmp_path / "report.html")],
            ["init-db", "--bogus-option"],  # a usage error prints too
        ):
            done = subprocess.run([sys.executable, "-m", "pipeline", *args], env=env, capture_output=True, text=True,
                                  cwd=REPO)  # fmt: skip
            printed.append(done.stdout + done.stderr)
        assert f"warehouse ready at {sa.make_url(url).render_as_string(hide_password=True)}:" in printed[0]
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            stored = {t: pd.read_sql(sa.text(f'SELECT * FROM "{t}"'), conn).to_csv(index=False) for t in tables}
            quarantined = conn.execute(sa.text("SELECT raw_record FROM quarantine")).scalars().all()
    finally:
        drop()
    files = {p: p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file() and p != log}
    assert any("PW=******" in r for r in quarantined)  # the raw record is kept, its password masked
    for secret in (DB_SECRET, DEVICE_SECRET):
        assert not [i for i, text in enumerate(printed) if secret in text], secret
        assert not [t for t, text in stored.items() if secret in text], secret
        assert not [str(p) for p, text in files.items() if secret in text], secret
    assert files  # the report (and any staged or outbox file) was scanned
