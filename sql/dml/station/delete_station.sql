DELETE FROM station WHERE source = :source
