-- The columns of a view in order (PostgreSQL information_schema), for their comments.
SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = :view
ORDER BY ordinal_position
