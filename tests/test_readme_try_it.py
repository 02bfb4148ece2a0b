"""The README's "Try it locally" lines, pasted into a fresh shell, work (run in a copy of the repository)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.airflow


def try_it_block() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- try-it-locally -->\s*```sh\n(.*?)```\s*<!-- /try-it-locally -->", readme, re.S)
    assert block, "README has no try-it-locally block"
    return block.group(1)


def test_try_it_locally_commands_work_in_a_fresh_shell(tmp_path):
    copy = tmp_path / "qz811"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    for name in files:
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(REPO / ".venv")
    # A fresh shell: none of the test run's Airflow or qz811 settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "QZ811_", "VIRTUAL_ENV"))}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", try_it_block()], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "state=success" in output
    assert "衢州 2019：城市及站点日AQI" in done.stdout and "2019-02-10  26" in done.stdout
    assert (copy / "var" / "warehouse.db").is_file() and (copy / "var" / "airflow").is_dir()
