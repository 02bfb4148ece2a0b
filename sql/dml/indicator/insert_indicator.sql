INSERT INTO indicator (indicator, scope, period, value, unit, comparator, target, status,
    data_complete, n, detail, edition)
VALUES (:indicator, :scope, :period, :value, :unit, :comparator, :target, :status,
    :data_complete, :n, :detail, :edition)
