-- PostgreSQL: the monthly partition of :parent that holds :month_start (defined in sql/ddl/postgresql/).
SELECT qz811_ensure_month_partition(CAST(:parent AS regclass), CAST(:month_start AS date))
