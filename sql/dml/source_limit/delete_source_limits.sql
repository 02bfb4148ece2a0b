DELETE FROM source_limit
