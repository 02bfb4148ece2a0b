-- PostgreSQL only: partitions of the hourly tables: source_reading by month, air_hourly by natural day.
-- The loader makes each partition on first use through the functions below (sql/dml/*_partition.sql), each
-- missing partition in a short transaction of its own before the bulk load, except a nightly day of air,
-- which becomes its partition inside the load's transaction (qz811_start_day_partition below). There is
-- no default partition on purpose: a reading for a month or day without a partition is an error, not a
-- silent catch-all. Old months and days can be detached or dropped whole
-- (ALTER TABLE air_hourly DETACH PARTITION air_hourly_d20190201).
--
-- Rights: the functions run with the rights of their owner (SECURITY DEFINER; the role that ran init-db,
-- which owns the tables), so the pipeline's role qz811_loader (sql/roles.sql), which may not create
-- tables, can still add partitions. Only the owner and the roles it grants EXECUTE to may call them
-- (sql/roles.sql grants qz811_loader; qz811_analyst may not). Because they run as the owner they do only
-- their job: qz811_check_partition refuses any table but the project's partitioned ones (source_reading by
-- month, air_hourly by day) and any day outside 2000-2099; their own locks are rows of qz811_lock, which an
-- analyst cannot take (sql/ddl/000_lock.sql).

-- Raise unless `parent` is the project's table partitioned by `period` ('month' or 'day') and `day` lies in
-- 2000-01-01 .. 2099-12-31.
CREATE OR REPLACE FUNCTION qz811_check_partition(parent regclass, period text, day date)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT ((period = 'month' AND parent = 'source_reading'::regclass)
            OR (period = 'day' AND parent = 'air_hourly'::regclass)) THEN
        RAISE EXCEPTION 'qz811: % is not partitioned by %', parent, period USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF day IS NULL OR day < DATE '2000-01-01' OR day > DATE '2099-12-31' THEN
        RAISE EXCEPTION 'qz811: no partition for day %', day USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- Lock a named key until the end of the transaction (as sql/dml/postgresql/lock_replacement.sql does).
CREATE OR REPLACE FUNCTION qz811_lock_key(lock_key text)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO qz811_lock (key) VALUES (lock_key) ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key;
END
$$;

-- The monthly partition of `parent` holding the month of `day`, named <parent>_yYYYYmMM, created if it is
-- missing; returns its name.
CREATE OR REPLACE FUNCTION qz811_ensure_month_partition(parent regclass, day date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    first_day date := date_trunc('month', day)::date;
    partition_name text := format('%s_y%sm%s', parent::text, to_char(first_day, 'YYYY'), to_char(first_day, 'MM'));
BEGIN
    PERFORM qz811_check_partition(parent, 'month', day);
    IF to_regclass(partition_name) IS NULL THEN
        -- Two loads of the same month at once: the second waits here, then finds the partition made.
        PERFORM qz811_lock_key('partition|' || partition_name);
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           partition_name, parent, first_day, (first_day + interval '1 month')::date);
        END IF;
    END IF;
    RETURN partition_name;
END
$$;

-- Natural-day partitions (air_hourly). A natural day D holds the hour-end stamps (D 00:00, D+1 00:00]
-- (GB 3095-2012 clause 3.6, HJ 663-2013 Table A.1: the hours ending 01:00 ... 24:00; see
-- pipeline/indicators/daily.py), so the partition of D has the bounds
-- FROM (D 00:00:00.000001) TO (D+1 00:00:00.000001): exactly that interval at TIMESTAMP's microsecond
-- resolution. Named <parent>_dYYYYMMDD.
CREATE OR REPLACE FUNCTION qz811_day_partition_name(parent regclass, day date)
RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT format('%s_d%s', parent::text, to_char(day, 'YYYYMMDD')) $$;

-- A day's partition is made in two steps, in one transaction:
--   1. qz811_start_day_partition locks the partition's key (a qz811_lock row, held to the end of the transaction)
--      and creates the table the partition will be, shaped like `parent` (columns, defaults, constraints)
--      but with no index and not yet attached: nobody else sees it before the commit. Returns its name, or
--      NULL when the day's partition exists already.
--   2. qz811_attach_day_partition gives it the parent's primary key, a CHECK equal to the bounds, and
--      attaches it (ATTACH PARTITION then trusts the CHECK instead of scanning the rows while it holds its
--      lock on the parent), then drops the CHECK. ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on the
--      parent: readers and other days' loads go on.
-- The nightly air load puts the day's rows into the table between the two steps, so that the primary key
-- is built once over the sorted rows instead of row by row as they arrive (twice as fast:
-- bench/results.md, "PostgreSQL load"). A row outside the day fails the CHECK and the load rolls back.
CREATE OR REPLACE FUNCTION qz811_start_day_partition(parent regclass, day date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    partition_name text := qz811_day_partition_name(parent, day);
BEGIN
    PERFORM qz811_check_partition(parent, 'day', day);
    PERFORM qz811_lock_key('partition|' || partition_name);
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING ALL EXCLUDING INDEXES)', partition_name, parent);
    RETURN partition_name;
END
$$;

CREATE OR REPLACE FUNCTION qz811_attach_day_partition(parent regclass, day date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    partition_name text := qz811_day_partition_name(parent, day);
    check_name text := partition_name || '_bounds';
    low timestamp := day + interval '1 microsecond';
    high timestamp := day + interval '1 day 1 microsecond';
    key_columns text;
    time_column text;
BEGIN
    PERFORM qz811_check_partition(parent, 'day', day);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.position) INTO key_columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = parent AND i.indisprimary;
    SELECT a.attname INTO time_column
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (%s)', partition_name, key_columns);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)',
                   partition_name, check_name, time_column, low, time_column, high);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, partition_name, low, high);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', partition_name, check_name);
    RETURN partition_name;
END
$$;

-- The partition of `parent` for natural day `day`, created empty if it is missing (both steps above,
-- without rows); returns its name. For loads that are not one whole night (an `ingest` of files, a
-- longer window).
CREATE OR REPLACE FUNCTION qz811_ensure_day_partition(parent regclass, day date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM qz811_check_partition(parent, 'day', day);
    IF to_regclass(qz811_day_partition_name(parent, day)) IS NULL
       AND qz811_start_day_partition(parent, day) IS NOT NULL THEN
        PERFORM qz811_attach_day_partition(parent, day);
    END IF;
    RETURN qz811_day_partition_name(parent, day);
END
$$;

REVOKE EXECUTE ON FUNCTION qz811_ensure_month_partition(regclass, date), qz811_start_day_partition(regclass, date),
    qz811_attach_day_partition(regclass, date), qz811_ensure_day_partition(regclass, date) FROM PUBLIC;
