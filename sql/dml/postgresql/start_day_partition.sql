-- PostgreSQL: the unattached table that will be :parent's partition for natural day :day, or NULL when
-- the partition exists (sql/ddl/postgresql/000_partitions.sql). Holds the partition's lock to commit.
SELECT qz811_start_day_partition(CAST(:parent AS regclass), CAST(:day AS date))
