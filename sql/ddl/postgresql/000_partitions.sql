-- PostgreSQL only: monthly partitions of the hourly tables (air_hourly, source_reading).
-- qz811_ensure_month_partition(parent, day) creates the partition of `parent` holding the month of `day`,
-- named <parent>_yYYYYmMM, if it is missing, and returns its name. The loader calls it (through
-- sql/dml/ensure_month_partition.sql) in a short transaction before each bulk load. There is no default
-- partition on purpose: a reading for a month without a partition is an error, not a silent catch-all.
-- Old months can be detached or dropped whole (ALTER TABLE air_hourly DETACH PARTITION air_hourly_y2019m02).
CREATE OR REPLACE FUNCTION qz811_ensure_month_partition(parent regclass, day date)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    first_day date := date_trunc('month', day)::date;
    partition_name text := format('%s_y%sm%s', parent::text, to_char(first_day, 'YYYY'), to_char(first_day, 'MM'));
BEGIN
    IF to_regclass(partition_name) IS NULL THEN
        -- Two loads of the same month at once: the second waits here, then finds the partition made.
        PERFORM pg_advisory_xact_lock(hashtextextended('partition|' || partition_name, 811));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           partition_name, parent, first_day, (first_day + interval '1 month')::date);
        END IF;
    END IF;
    RETURN partition_name;
END
$$;
