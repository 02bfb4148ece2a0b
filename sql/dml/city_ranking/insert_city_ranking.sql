INSERT INTO city_ranking (universe, period, period_kind, indicator, city, value, rank, n_ranked, n_members,
    previous_value, change, change_rank, valid_days, eligible, note)
VALUES (:universe, :period, :period_kind, :indicator, :city, :value, :rank, :n_ranked, :n_members,
    :previous_value, :change, :change_rank, :valid_days, :eligible, :note)
