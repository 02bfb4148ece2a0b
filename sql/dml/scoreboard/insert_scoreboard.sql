INSERT INTO scoreboard (target_id, year, value, goal, status, note, basis, edition, coverage, first_day, last_day,
    n_valid, n_expected, previous_value)
VALUES (:target_id, :year, :value, :goal, :status, :note, :basis, :edition, :coverage, :first_day, :last_day,
    :n_valid, :n_expected, :previous_value)
