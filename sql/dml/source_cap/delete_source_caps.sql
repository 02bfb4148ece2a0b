DELETE FROM source_cap
