-- Warehouse roles (PostgreSQL only), applied by `python -m pipeline init-db --roles`.
-- qz811_loader: the pipeline; reads and writes the tables.
-- qz811_analyst: analysts; may read every table and view, may not insert, update, delete or create (no
-- TEMP objects either), and cannot stall a night: the pipeline's locks are rows of qz811_lock, which need
-- UPDATE rights, and where the server lets us (a superuser ran init-db) PUBLIC loses the advisory-lock
-- functions on this database's connections too.
-- Passwords are not set here: `ALTER ROLE qz811_analyst PASSWORD '...'` by the administrator.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qz811_loader') THEN
        CREATE ROLE qz811_loader LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qz811_analyst') THEN
        CREATE ROLE qz811_analyst LOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO qz811_loader, qz811_analyst', current_database());
    -- No TEMP tables or functions but the loader's (an analyst's own work tables belong in its own database).
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO qz811_loader', current_database());
END
$$;
-- The advisory-lock functions belong to the bootstrap superuser (each database has its own pg_catalog): only a
-- superuser may take them from PUBLIC here. The pipeline does not use them.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        REVOKE EXECUTE ON FUNCTION pg_advisory_lock(bigint), pg_advisory_lock(integer, integer),
            pg_advisory_xact_lock(bigint), pg_advisory_xact_lock(integer, integer),
            pg_advisory_lock_shared(bigint), pg_advisory_lock_shared(integer, integer),
            pg_advisory_xact_lock_shared(bigint), pg_advisory_xact_lock_shared(integer, integer),
            pg_try_advisory_lock(bigint), pg_try_advisory_xact_lock(bigint) FROM PUBLIC;
    ELSE
        RAISE NOTICE 'not a superuser: the advisory-lock functions stay PUBLIC (the pipeline does not use them)';
    END IF;
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO qz811_loader, qz811_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO qz811_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO qz811_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO qz811_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO qz811_analyst;
-- The partition functions (sql/ddl/postgresql/000_partitions.sql) run with the owner's rights; the loader
-- may call them, the analyst may not.
GRANT EXECUTE ON FUNCTION qz811_ensure_month_partition(regclass, date), qz811_start_day_partition(regclass, date),
    qz811_attach_day_partition(regclass, date), qz811_ensure_day_partition(regclass, date) TO qz811_loader;
