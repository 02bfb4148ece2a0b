-- PostgreSQL: the monthly partition of :parent that holds :day (defined in sql/ddl/postgresql/000_partitions.sql).
SELECT qz811_ensure_month_partition(CAST(:parent AS regclass), CAST(:day AS date))
