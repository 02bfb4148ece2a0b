-- PostgreSQL: hold a transaction-scoped advisory lock named by :key (e.g. 'air_hourly|2019-07-01') until
-- commit or rollback, so two runs that replace the same piece of the warehouse take turns.
SELECT pg_advisory_xact_lock(hashtextextended(:key, 811))
