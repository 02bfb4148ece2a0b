-- PostgreSQL bulk load (pipeline.store.postgres.copy_frame): {table} and {columns} are filled in as quoted
-- identifiers (psycopg.sql.Identifier), the rows streamed in COPY's binary format (pipeline/store/pg_binary.py).
COPY {table} ({columns}) FROM STDIN (FORMAT binary)
