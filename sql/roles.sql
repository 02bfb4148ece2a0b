-- Warehouse roles (PostgreSQL only), applied by `python -m pipeline init-db --roles`.
-- qz811_loader: the pipeline; reads and writes the tables.
-- qz811_analyst: analysts; may read every table and view, may not insert, update, delete or create.
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
