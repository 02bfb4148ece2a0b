#!/usr/bin/env bash
# First start of the compose PostgreSQL: besides Airflow's metadata database (POSTGRES_DB), create the
# qz811 warehouse database and its three roles. Runs once, from /docker-entrypoint-initdb.d.
#   qz811_owner    owns the database, its tables and the partition functions (used only by airflow-init's
#                  `python -m pipeline init-db --roles`);
#   qz811_loader   the pipeline's tasks: read and write rows, create partitions through the owner's functions;
#   qz811_analyst  analysts (published port, README "Operating it"): read only.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$QZ811_OWNER_PASSWORD" -v loader_password="$QZ811_LOADER_PASSWORD" \
     -v analyst_password="$QZ811_ANALYST_PASSWORD" <<'SQL'
CREATE ROLE qz811_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE qz811_loader LOGIN PASSWORD :'loader_password';
CREATE ROLE qz811_analyst LOGIN PASSWORD :'analyst_password';
CREATE DATABASE qz811 OWNER qz811_owner;
SQL
