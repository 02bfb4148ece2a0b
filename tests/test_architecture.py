"""The layers of the code and the rule of each (README, "Architecture"), kept by reading every import.

Every ``import``/``from ... import`` of ``pipeline/`` and ``dags/`` is read from the source (the AST,
function-level imports included) and checked against the rules below. The rules are tested too: a job
importing another job, a report importing a job, or a standard's math importing the warehouse is caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

BASE = ("pipeline.glossary", "pipeline.config", "pipeline.windows", "pipeline.indicators", "pipeline.progress")
EDGES = ("pipeline.ingest", "pipeline.validate", "pipeline.fanout", "pipeline.store")

RULES: dict[str, tuple[str, ...]] = {
    # layer prefix -> the pipeline modules it may import (prefixes)
    "pipeline.indicators": ("pipeline.indicators", "pipeline.glossary"),
    "pipeline.glossary": (),
    "pipeline.windows": (),
    "pipeline.config": (),
    "pipeline.progress": (),
    "pipeline.fanout": (),
    "pipeline.ingest": ("pipeline.ingest", "pipeline.glossary"),
    "pipeline.validate": ("pipeline.ingest",),
    "pipeline.store": ("pipeline.store", "pipeline.windows", "pipeline.ingest", "pipeline.glossary"),
    "pipeline.jobs": (*BASE, *EDGES, "pipeline.plan.indicators", "pipeline.plan.registry"),
    "pipeline.plan": (*BASE, "pipeline.store", "pipeline.ingest.reference", "pipeline.plan", "pipeline.reports"),
    "pipeline.reports": (
        *BASE,
        "pipeline.store",
        "pipeline.plan.indicators",
        "pipeline.plan.registry",
        "pipeline.reports",
    ),
    "pipeline.calculators": (*BASE, "pipeline.ingest"),
    "pipeline.runs": (),
    "pipeline.orchestration": ("pipeline.config", "pipeline.store.engine", "pipeline.jobs", "pipeline.plan.alerts"),
    "dags": (
        "pipeline.orchestration",
        "pipeline.runs",
        "pipeline.windows",
        "pipeline.fanout",
        "pipeline.jobs",
        "pipeline.plan.scoreboard",
        "pipeline.plan.alerts",
        "pipeline.plan.month_report",
        "pipeline.reports.html",
    ),
}
"""What each layer may import. Everything else of ``pipeline`` is refused; the CLI (the top) may import
any layer. A job never imports another job, the plan or a report; a report reads the warehouse and the
plan's catalogue, never a job; a standard's math imports only standards' math and the glossary."""


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str) -> set[str]:
    """The ``pipeline`` modules (and ``pipeline.X`` names) a module's source imports, anywhere in it."""
    found = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if base in ("pipeline", "pipeline.jobs", "pipeline.plan", "pipeline.reports", "pipeline.store"):
                found |= {f"{base}.{alias.name}" for alias in node.names}  # from pipeline.jobs import air
            else:
                found.add(base)
    return {name for name in found if name == "pipeline" or name.startswith("pipeline.")} - {"pipeline"}


def layer_of(module: str) -> str | None:
    for prefix in sorted(RULES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return None


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(module: str, imported: set[str]) -> list[str]:
    """The imports of ``module`` that its layer's rule refuses, as readable lines."""
    layer = layer_of(module)
    if layer is None:
        return []
    out = []
    for name in sorted(imported):
        if name.startswith("pipeline.jobs.") and module.startswith("pipeline.jobs.") and name != module:
            out.append(f"{module} imports {name}: a job never imports another job")
        elif _within(name, RULES[layer]) or _within(name, (module,)):
            continue
        else:
            out.append(
                f"{module} imports {name}: {layer} may import only {', '.join(RULES[layer]) or 'nothing of pipeline'}"
            )
    return out


def project_modules() -> dict[str, str]:
    files = [*REPO.joinpath("pipeline").rglob("*.py"), *REPO.joinpath("dags").glob("*.py")]
    return {module_name(f): f.read_text(encoding="utf-8") for f in files if "__pycache__" not in f.parts}


def test_every_module_keeps_its_layers_rule():
    found = []
    for module, source in sorted(project_modules().items()):
        found += violations(module, imports_of(source, module))
    assert not found, "\n".join(found)


def test_every_module_has_a_layer():
    """A new top-level module must be given a rule here (and a line in the README's architecture)."""
    loose = [
        m
        for m in project_modules()
        if layer_of(m) is None and m not in ("pipeline", "pipeline.cli", "pipeline.__main__")
    ]
    assert not loose, f"modules without a layer rule: {loose}"


@pytest.mark.parametrize(
    ("module", "source", "refused"),
    [
        ("pipeline.jobs.water", "from pipeline.jobs.air import daily_values", "pipeline.jobs.air"),
        ("pipeline.jobs.water", "from pipeline.jobs import sources", "pipeline.jobs.sources"),
        ("pipeline.jobs.sources", "def f():\n    import pipeline.jobs.annual\n", "pipeline.jobs.annual"),
        ("pipeline.reports.text", "from pipeline.jobs import sources", "pipeline.jobs.sources"),
        ("pipeline.reports.html", "from pipeline.jobs.water import classes", "pipeline.jobs.water"),
        ("pipeline.jobs.air", "from pipeline.reports.text import day_summary", "pipeline.reports.text"),
        ("pipeline.indicators.aqi", "from pipeline.store.engine import sql", "pipeline.store.engine"),
        ("pipeline.store.load", "from pipeline.jobs import air", "pipeline.jobs.air"),
        ("dags.water_quality", "from pipeline.store.engine import sql", "pipeline.store.engine"),
    ],
)
def test_the_rules_refuse_a_wrong_import(module, source, refused):
    found = violations(module, imports_of(source, module))
    assert any(refused in line for line in found), found


def test_the_rules_let_a_job_use_its_edges():
    source = "from pipeline.store.load import load_batch\nfrom pipeline.indicators.daily import station_day_aqi\n"
    assert violations("pipeline.jobs.air", imports_of(source, "pipeline.jobs.air")) == []
