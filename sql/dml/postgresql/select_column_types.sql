-- PostgreSQL: the columns of table :table_name and their types as format_type() names them (for COPY's binary format).
SELECT a.attname AS column_name, format_type(a.atttypid, NULL) AS type_name
FROM pg_attribute a
WHERE a.attrelid = CAST(:table_name AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
