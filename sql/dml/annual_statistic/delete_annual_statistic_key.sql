DELETE FROM annual_statistic WHERE indicator_id = :indicator_id AND year = :year AND scope = :scope
