-- PostgreSQL: lock the row of the key (a text such as 'air_hourly|2019-07-01') until commit or rollback, so
-- two runs that replace the same piece of the warehouse take turns (sql/ddl/000_lock.sql). A wait longer
-- than the session's lock_timeout fails the run (pipeline/store/engine.py make_engine).
INSERT INTO qz811_lock (key) VALUES (:key) ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
