"""Settings from the environment (pipeline/config.py): QZ811_REPORT_URL is copied into every notice, so only an
address or a shared folder is taken (issue 28.7), and the CLI says which setting is wrong in one line."""

from __future__ import annotations

import pytest

from pipeline.config import SettingError, Settings


@pytest.mark.parametrize("value", ["", "https://hb.qz.gov.cn/qz811/", "http://10.0.0.5/reports", "\\\\fileserver\\811"])
def test_addresses_and_shares_are_taken(value):
    assert Settings.from_env({"QZ811_REPORT_URL": value}).report_url == value


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "https://a.example/\r\nBcc: all@example.gov.cn", "file:///etc/passwd",
              "data:text/html,<script>", "http://", "intranet/reports", 'https://a.example/"onmouseover="x']
)  # fmt: skip
def test_anything_else_is_refused_naming_the_setting(value):
    with pytest.raises(SettingError, match="QZ811_REPORT_URL"):
        Settings.from_env({"QZ811_REPORT_URL": value})


def test_the_cli_refuses_in_one_line(monkeypatch, capsys, tmp_path):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("QZ811_REPORT_URL", "javascript:alert(document.cookie)\nX-Injected: 1")
    assert main(["alerts", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "QZ811_REPORT_URL" in err and "X-Injected" not in err
