"""docker-compose.yml, checked by parsing it (no Docker engine here): services, pinned images,
healthchecks, mounts, and every ${SETTING} documented in .env.example."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO

COMPOSE_TEXT = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
LONG_RUNNING = [
    "postgres",
    "mailpit",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
]


def test_services_present():
    assert set(SERVICES) == {*LONG_RUNNING, "airflow-init"}
    assert [SERVICES[s]["command"] for s in LONG_RUNNING[2:]] == [
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    ]


@pytest.mark.parametrize("name", list(SERVICES))
def test_images_are_pinned(name):
    image = SERVICES[name]["image"]
    assert ":" in image and not image.endswith(":latest"), image
    assert re.search(r":v?\d+\.\d+", image), image


def test_airflow_image_matches_the_locked_version():
    lock = (REPO / "requirements.lock").read_text()
    airflow = re.search(r"^apache-airflow==(\S+)$", lock, re.M).group(1)
    assert SERVICES["airflow-scheduler"]["image"].endswith(airflow)
    assert f"apache/airflow:{airflow}-python3.11" in (REPO / "Dockerfile").read_text()


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_healthchecks(name):
    check = SERVICES[name]["healthcheck"]
    assert check["test"] and check["interval"] and check["retries"]


@pytest.mark.parametrize("name", [s for s in SERVICES if s.startswith("airflow")])
def test_airflow_services_mount_the_project(name):
    targets = {v.split(":")[1] for v in SERVICES[name]["volumes"]}
    assert {"/opt/airflow/dags", "/opt/qz811/pipeline", "/opt/qz811/expectations", "/opt/qz811/sql"} <= targets
    sources = {v.split(":")[0] for v in SERVICES[name]["volumes"]}
    for source in sources & {"./dags", "./pipeline", "./expectations", "./sql", "./data"}:
        assert (REPO / source).is_dir()


def test_airflow_waits_for_a_healthy_database_and_init():
    depends = SERVICES["airflow-scheduler"]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["airflow-init"]["condition"] == "service_completed_successfully"
    assert "python -m pipeline init-db" in SERVICES["airflow-init"]["command"][1]


def test_every_setting_is_documented_in_env_example():
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::-[^}]*)?\}", COMPOSE_TEXT))
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z0-9_]+)=", example, re.M))
    assert used and used <= documented, used - documented


def test_no_secret_in_the_compose_file():
    assert not re.search(r"(?i)password\s*[:=]\s*(?!\$\{)\S", COMPOSE_TEXT.replace("PASSWORDS_FILE", ""))
