-- PostgreSQL comment of a view's column (pipeline/store/schema.py): {view} and {column} are filled in as quoted
-- identifiers and {comment} as a quoted literal (psycopg.sql), from pipeline.glossary.COLUMNS, Chinese first.
COMMENT ON COLUMN {view}.{column} IS {comment}
