#!/usr/bin/env bash
# First start of the compose PostgreSQL: besides Airflow's metadata database (POSTGRES_DB), create the
# qz811 warehouse database and its loader role. Runs once, from /docker-entrypoint-initdb.d.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v loader_password="$QZ811_LOADER_PASSWORD" <<'SQL'
CREATE ROLE qz811_loader LOGIN PASSWORD :'loader_password';
CREATE DATABASE qz811 OWNER qz811_loader;
SQL
