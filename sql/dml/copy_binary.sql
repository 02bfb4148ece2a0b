-- PostgreSQL bulk load (pipeline.db.copy_frame): {table} and {columns} are filled in as quoted
-- identifiers (psycopg.sql.Identifier), the rows streamed in COPY's binary format (pipeline/pg_binary.py).
COPY {table} ({columns}) FROM STDIN (FORMAT binary)
