DELETE FROM source_outlet
