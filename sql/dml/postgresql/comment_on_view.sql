-- PostgreSQL comment of an analyst view (pipeline/store/schema.py): {view} is filled in as a quoted identifier and
-- {comment} as a quoted literal (psycopg.sql), Chinese first: what psql's \dv+ and DBeaver show.
COMMENT ON VIEW {view} IS {comment}
