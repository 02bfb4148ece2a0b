INSERT INTO scoreboard (target_id, year, value, goal, status, note, basis, edition)
VALUES (:target_id, :year, :value, :goal, :status, :note, :basis, :edition)
