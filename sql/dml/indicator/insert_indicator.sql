INSERT INTO indicator (indicator, scope, period, value, unit, comparator, target, status,
    data_complete, n, detail, edition, first_day, last_day, n_valid, n_expected, coverage, outlook)
VALUES (:indicator, :scope, :period, :value, :unit, :comparator, :target, :status,
    :data_complete, :n, :detail, :edition, :first_day, :last_day, :n_valid, :n_expected, :coverage,
    :outlook)
