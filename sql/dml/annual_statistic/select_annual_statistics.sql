SELECT indicator_id, year, scope, value, unit FROM annual_statistic
