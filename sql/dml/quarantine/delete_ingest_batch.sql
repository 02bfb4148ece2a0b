-- Re-running the same batch replaces it: its quarantine first (foreign key), then the batch row.
-- Readings that still point to the batch are removed by the caller's window or key deletes.
DELETE FROM quarantine WHERE batch_id = :batch_id
