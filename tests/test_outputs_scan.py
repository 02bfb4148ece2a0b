"""What people read carries no ``nan``, ``None`` or internal id: every email and the report that `make demo`'s
steps write, and every summary they print, scanned (issue 15, acceptance 2). Every email has Date and
Message-ID."""

from __future__ import annotations

import email
import html
import re
from email import policy
from pathlib import Path

from pipeline.plan.indicators import INDICATORS
from pipeline.plan.registry import read_registry

EMPTY = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|<NA>)(?![A-Za-z])")


def internal_ids() -> set[str]:
    """Ids people never need to see: the plan targets' and indicators' ids (they read names)."""
    registry = read_registry()
    return set(registry["id"]) | set(INDICATORS) | set(registry["source_indicator"].dropna()) - {""}


def found_ids(text: str, ids: set[str]) -> list[str]:
    return sorted(i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w.])", text))


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
