-- PostgreSQL: the natural-day partition of :parent for :day (defined in sql/ddl/postgresql/000_partitions.sql).
SELECT qz811_ensure_day_partition(CAST(:parent AS regclass), CAST(:day AS date))
