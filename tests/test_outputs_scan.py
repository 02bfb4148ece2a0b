"""What people read carries no ``nan``, ``None`` or internal id: every email and the report that `make demo`'s
steps write, and every summary they print, scanned (issue 15, acceptance 2). Every email has Date and
Message-ID."""

from __future__ import annotations

import email
import html
import re
from email import policy
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.plan.indicators import INDICATORS
from pipeline.plan.registry import read_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"

DEMO = [
    ["init-db"],
    ["run", "--quiet", "--date", "2019-02-10", "--date", "2019-02-11", "--date", "2019-07-01", "--date", "2019-07-02"],
    ["summary", "--year", "2019", "--city", "衢州"],
    ["water", "--date", "2019-07-01", "--date", "2019-07-02", "--quiet"],
    ["water", "--month", "2019-07"],
    ["ingest", "sources", *(str(SAMPLE / "sources" / n) for n in (
        "hj212_platform_2019-07.log", "wastewater_export_2019-07.csv", "kahsolt_QZS04_2021-01.csv"))],
    ["sources", "--year", "2019"],
    ["ingest", "statistics", str(SAMPLE / "plan" / "statistics_2014-2019.csv")],
    ["ingest", "precipitation", str(SAMPLE / "plan" / "precipitation_2018-2019.csv")],
    ["ingest", "noise", str(SAMPLE / "plan" / "noise_2018-2019.csv")],
    ["scoreboard", "--year", "2019"],
    ["report", "--year", "2019"],
    ["alerts", "--year", "2019"],
]  # fmt: skip
"""The steps of `make demo` (Makefile), in its order."""

EMPTY = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|<NA>)(?![A-Za-z])")


def internal_ids() -> set[str]:
    """Ids people never need to see: the plan targets' and indicators' ids (they read names)."""
    registry = read_registry()
    return set(registry["id"]) | set(INDICATORS) | set(registry["source_indicator"].dropna()) - {""}


def found_ids(text: str, ids: set[str]) -> list[str]:
    return sorted(i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w.])", text))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = {
        "QZ811_DB_URL": f"sqlite:///{folder / 'warehouse.db'}",
        "QZ811_STAGING_DIR": str(folder / "staging"),
        "QZ811_OUTBOX_DIR": str(folder / "outbox"),
        "QZ811_REPORT_DIR": str(folder / "reports"),
        "QZ811_DATA_DOCS_DIR": str(folder / "reports" / "data_docs"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        patch.delenv("QZ811_SMTP_HOST", raising=False)
        import contextlib
        import io

        printed = {}
        for argv in DEMO:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(argv) == 0, argv
            printed[" ".join(argv[:2])] = out.getvalue()
    return folder, printed


def readable_parts(path: Path) -> list[tuple[str, str]]:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [("Subject", str(message["Subject"]))]
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            parts.append(("text", part.get_content()))
        elif part.get_content_type() == "text/html":
            parts.append(("html", html.unescape(re.sub(r"<[^>]+>", " ", part.get_content()))))
    return parts


def test_every_email_is_a_clean_notice_with_date_and_message_id(demo):
    folder, _ = demo
    emails = sorted((folder / "outbox").glob("*.eml"))
    assert len(emails) >= 5
    ids = internal_ids()
    for path in emails:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message["Date"] and re.fullmatch(r"<[0-9a-f]{24}@qz811>", str(message["Message-ID"])), path.name
        for where, text in readable_parts(path):
            assert not EMPTY.search(text), f"{path.name} {where}: {EMPTY.search(text).group(0)!r}"
            assert not found_ids(text, ids), f"{path.name} {where}: internal ids {found_ids(text, ids)}"
        text = dict(readable_parts(path))["text"]
        assert "牵头部门 Lead department" in text and "年度报告 Report" in text, path.name


def test_the_report_shows_no_empty_value_or_internal_id(demo):
    folder, _ = demo
    page = (folder / "reports" / "report-2019.html").read_text(encoding="utf-8")
    visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)))
    assert not EMPTY.search(visible), EMPTY.search(visible).group(0)
    assert not found_ids(visible, internal_ids()), found_ids(visible, internal_ids())


def test_the_printed_summaries_show_no_empty_value(demo):
    _, printed = demo
    for command, text in printed.items():
        assert not EMPTY.search(text), f"{command}: {EMPTY.search(text).group(0)!r} in\n{text}"


def test_every_batch_has_its_data_docs_and_the_report_links_them(demo):
    folder, _ = demo
    docs = folder / "reports" / "data_docs"
    index = (docs / "index.html").read_text(encoding="utf-8")
    for dataset in ("air_hourly", "water_auto", "water_manual", "source_readings", "annual_statistics",
                    "precipitation_samples", "noise_points"):  # fmt: skip
        assert f"<tr><td>{dataset}</td>" in index, dataset
    linked = re.findall(r'href="([^"]+\.html)"', index)
    assert linked and all((docs / href).is_file() for href in linked)
    page = (folder / "reports" / "report-2019.html").read_text(encoding="utf-8")
    assert '<a href="data_docs/index.html">Data Docs</a>' in page
