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


AIRFLOW = [s for s in SERVICES if s.startswith("airflow")]


def env_of(name: str) -> dict:
    return SERVICES[name]["environment"]


def test_every_airflow_container_shares_one_jwt_secret_from_env():
    """Without one shared secret the workers' task tokens fail with "Invalid auth token"."""
    secrets = {env_of(s).get("AIRFLOW__API_AUTH__JWT_SECRET") for s in AIRFLOW}
    assert secrets == {"${AIRFLOW_JWT_SECRET}"}
    assert re.search(r"^AIRFLOW_JWT_SECRET=", (REPO / ".env.example").read_text(encoding="utf-8"), re.M)
    assert {env_of(s)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] for s in AIRFLOW} == {
        "http://airflow-apiserver:8080/execution/"
    }


@pytest.mark.parametrize("name", AIRFLOW)
def test_airflow_services_mount_config_logs_and_writable_volumes(name):
    mounts = dict(v.split(":")[:2] for v in SERVICES[name]["volumes"])
    assert mounts["./config"] == "/opt/qz811/config"  # alert_recipients.csv, read by the alerts task
    assert (REPO / "config" / "alert_recipients.csv").is_file()
    named = {source: target for source, target in mounts.items() if not source.startswith((".", "$"))}
    assert named == {"staging": "/opt/airflow/staging", "logs": "/opt/airflow/logs", "outbox": "/opt/airflow/outbox",
                     "auth": "/opt/airflow/auth"}  # fmt: skip
    assert set(named) <= set(COMPOSE["volumes"])
    # the report and the Data Docs go to a host folder people can open (the emails name it)
    assert "${QZ811_REPORTS_HOST_DIR:-./var/reports}:/opt/airflow/reports" in SERVICES[name]["volumes"]
    env = env_of(name)
    assert env["QZ811_REPORT_DIR"] == "/opt/airflow/reports" and env["QZ811_DATA_DOCS_DIR"].startswith(
        "/opt/airflow/reports/"
    )


def test_init_hands_the_named_volumes_to_the_airflow_user_and_creates_roles():
    init = SERVICES["airflow-init"]
    assert init["user"] == "0:0"
    script = init["command"][1]
    assert 'chown -R "${AIRFLOW_UID:-50000}:0" /opt/airflow/staging /opt/airflow/logs /opt/airflow/outbox' in script
    assert "/opt/airflow/reports" in script.split("chown -R", 1)[1].split("airflow db migrate")[0]
    assert 'QZ811_DB_URL="$${QZ811_OWNER_URL}" python -m pipeline init-db --roles' in script
    assert env_of("airflow-init")["QZ811_OWNER_URL"].startswith(
        "postgresql+psycopg://qz811_owner:${QZ811_OWNER_PASSWORD}@"
    )
    # the other containers run as the non-root user and load as qz811_loader, not the owner
    for name in AIRFLOW:
        if name != "airflow-init":
            assert SERVICES[name]["user"] == "${AIRFLOW_UID:-50000}:0"
            assert env_of(name)["QZ811_DB_URL"].startswith("postgresql+psycopg://qz811_loader:")


def test_the_database_has_an_owner_a_loader_and_an_analyst_and_analysts_can_reach_it():
    postgres = SERVICES["postgres"]
    assert postgres["ports"] == ["${QZ811_PG_BIND:-127.0.0.1}:${QZ811_PG_PORT:-5432}:5432"]
    init_script = (REPO / "deploy" / "postgres" / "init-warehouse.sh").read_text(encoding="utf-8")
    for role in ("qz811_owner", "qz811_loader", "qz811_analyst"):
        assert f"CREATE ROLE {role} LOGIN PASSWORD" in init_script
        assert f"QZ811_{role.split('_')[1].upper()}_PASSWORD" in postgres["environment"]
    assert "CREATE DATABASE qz811 OWNER qz811_owner;" in init_script
    mounted = [v for v in postgres["volumes"] if "init-warehouse.sh" in v]
    assert mounted and mounted[0].startswith("./deploy/postgres/init-warehouse.sh:/docker-entrypoint-initdb.d/")


def test_mail_reaches_the_mail_catcher_and_failures_reach_the_operators():
    conn = env_of("airflow-scheduler")["AIRFLOW_CONN_SMTP_DEFAULT"]
    assert conn.startswith("smtp://mailpit:1025?") and "disable_ssl=true" in conn and "disable_tls=true" in conn
    assert env_of("airflow-scheduler")["QZ811_OPERATORS"] == "${QZ811_OPERATORS}"


def test_airflow_reaches_its_database_with_the_locked_driver_sync_and_async():
    env = env_of("airflow-scheduler")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"].startswith("postgresql+psycopg_async://")
