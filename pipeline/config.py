"""Typed settings, read from the environment when asked for (never at import time).

Only the CLI and the DAGs build settings; library functions take explicit arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingError(ValueError):
    """A setting from the environment that cannot be used; the message names it and what it may be."""


def checked_report_url(value: str) -> str:
    """QZ811_REPORT_URL as it will be written into every notice: an ``http(s)://`` address, a Windows share
    (``\\\\server\\folder``) or empty. Anything else (``javascript:``, ``file:``, a line break, a control
    character that could start a new mail header) is a :class:`SettingError` naming the setting, never copied."""
    text = value.strip()
    if not text:
        return ""
    if any(ord(c) < 32 or ord(c) == 127 for c in text) or any(c in text for c in '<>"'):
        raise SettingError('QZ811_REPORT_URL holds a line break, control character or <>": give a plain address')
    if text.lower().startswith(("http://", "https://")) and len(text.split("://", 1)[1].strip("/")) > 0:
        return text
    if text.startswith("\\\\") and len(text) > 2:
        return text
    raise SettingError(
        f"QZ811_REPORT_URL={text[:60]!r}: give an http:// or https:// address, or a shared folder (\\\\server\\folder)"
    )


@dataclass(frozen=True)
class Settings:
    db_url: str
    """QZ811_DB_URL: SQLAlchemy URL of the warehouse (default: embedded SQLite var/warehouse.db)."""
    landing_dir: Path
    """QZ811_LANDING_DIR: where the nightly job finds the day's air files (default: bundled sample)."""
    staging_dir: Path
    """QZ811_STAGING_DIR: scratch space between the nightly tasks (default: var/staging)."""
    water_landing_dir: Path
    """QZ811_WATER_LANDING_DIR: where the water jobs find their files (default: bundled sample)."""
    sources_landing_dir: Path
    """QZ811_SOURCES_LANDING_DIR: where the source job finds its files (default: bundled sample)."""
    outbox_dir: Path
    """QZ811_OUTBOX_DIR: where alert emails are written when no SMTP server is set (default: var/outbox)."""
    report_dir: Path = REPO_ROOT / "var"
    """QZ811_REPORT_DIR: where the year's report (``report-YYYY.html``) is written, by ``python -m pipeline report``
    and nightly by the ``plan_targets`` DAG; alert emails point to it (default: var)."""
    report_url: str = ""
    """QZ811_REPORT_URL: where readers open the reports (an intranet address or a shared folder), written in the
    alert emails instead of the local path when set (default: the local path)."""
    data_docs_dir: Path = REPO_ROOT / "var" / "data_docs"
    """QZ811_DATA_DOCS_DIR: each loaded batch's GX validation results as Data Docs pages and their index.html,
    linked from the report (default: var/data_docs)."""
    keep_staging: bool = False
    """QZ811_KEEP_STAGING=true: keep a batch's staged files after it is loaded (default: removed)."""
    hourly_scope: str = "zhejiang"
    """QZ811_HOURLY_SCOPE: whose hourly air readings the warehouse keeps, ``quzhou``, ``zhejiang`` or ``all``
    (default zhejiang); the other stations' readings are kept as station-days (pipeline/jobs/air.py)."""

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            db_url=env.get("QZ811_DB_URL") or f"sqlite:///{REPO_ROOT / 'var' / 'warehouse.db'}",
            landing_dir=Path(env.get("QZ811_LANDING_DIR") or REPO_ROOT / "data" / "sample" / "air"),
            staging_dir=Path(env.get("QZ811_STAGING_DIR") or REPO_ROOT / "var" / "staging"),
            water_landing_dir=Path(env.get("QZ811_WATER_LANDING_DIR") or REPO_ROOT / "data" / "sample" / "water"),
            sources_landing_dir=Path(env.get("QZ811_SOURCES_LANDING_DIR") or REPO_ROOT / "data" / "sample" / "sources"),
            outbox_dir=Path(env.get("QZ811_OUTBOX_DIR") or REPO_ROOT / "var" / "outbox"),
            report_dir=Path(env.get("QZ811_REPORT_DIR") or REPO_ROOT / "var"),
            report_url=checked_report_url(env.get("QZ811_REPORT_URL", "")),
            data_docs_dir=Path(env.get("QZ811_DATA_DOCS_DIR") or REPO_ROOT / "var" / "data_docs"),
            keep_staging=env.get("QZ811_KEEP_STAGING", "").lower() in ("1", "true", "yes"),
            hourly_scope=(env.get("QZ811_HOURLY_SCOPE") or "zhejiang").strip().lower(),
        )
