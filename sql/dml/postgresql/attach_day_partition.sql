-- PostgreSQL: index the table qz811_start_day_partition made for :day and attach it to :parent.
SELECT qz811_attach_day_partition(CAST(:parent AS regclass), CAST(:day AS date))
