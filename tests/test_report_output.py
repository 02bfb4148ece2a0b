"""Reports and exports are written all or nothing (pipeline/reports/output.py, issue 28.7): a full disk leaves the
previous file and no partial one, with a one-line error naming the path; an output path that is a symbolic link
is replaced by the new file, and the file it pointed to is never written."""

from __future__ import annotations

import errno

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.reports.output import OutputError, write_text_atomically


def full_disk_after(limit: int):
    """A writer for :func:`write_atomically` that writes ``limit`` bytes, then fails as a full disk does."""

    def write(temporary):
        with open(temporary, "wb") as handle:
            handle.write(b"x" * limit)
            raise OSError(errno.ENOSPC, "No space left on device")

    return write


def test_a_full_disk_leaves_the_previous_file_and_no_partial_one(tmp_path):
    from pipeline.reports.output import write_atomically

    path = tmp_path / "report-2019.html"
    path.write_text("the report of last night", encoding="utf-8")
    with pytest.raises(OutputError) as failed:
        write_atomically(path, full_disk_after(4096))
    assert str(path) in str(failed.value) and "No space left on device" in str(failed.value)
    assert path.read_text(encoding="utf-8") == "the report of last night"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-2019.html"]


def test_an_output_that_is_a_link_is_replaced_not_written_through(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(precious)
    write_text_atomically(link, "new export")
    assert precious.read_text(encoding="utf-8") == "do not overwrite"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "new export"


def test_the_export_command_on_a_full_disk_is_one_line_naming_the_path(sample_sqlite, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QZ811_DB_URL", str(sample_sqlite.url))
    out = tmp_path / "scoreboard.csv"
    out.write_text("yesterday's export", encoding="utf-8")

    def to_csv(self, path, *args, **kwargs):
        full_disk_after(100)(path)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    assert main(["export", "v_scoreboard", "--year", "2019", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(out) in err and "No space left on device" in err
    assert out.read_text(encoding="utf-8") == "yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scoreboard.csv"]


def test_the_export_command_through_a_link_leaves_its_target(sample_sqlite, tmp_path, monkeypatch):
    monkeypatch.setenv("QZ811_DB_URL", str(sample_sqlite.url))
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    (tmp_path / "out.xlsx").symlink_to(precious)
    assert main(["export", "v_scoreboard", "--year", "2019", "-o", str(tmp_path / "out.xlsx")]) == 0
    assert precious.read_text(encoding="utf-8") == "do not overwrite"
    assert not (tmp_path / "out.xlsx").is_symlink()
