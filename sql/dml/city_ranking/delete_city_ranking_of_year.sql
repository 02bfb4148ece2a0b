-- One year's rankings (its months, 1-N月 and the year), before they are computed again.
DELETE FROM city_ranking WHERE period = :year OR period LIKE :months
