-- An indicator family's rows for one year and its months, before they are computed again.
DELETE FROM indicator WHERE indicator LIKE :family AND (period = :year OR period LIKE :months)
