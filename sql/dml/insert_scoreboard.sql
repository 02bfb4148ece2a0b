INSERT INTO scoreboard (target_id, year, value, goal, status, note, basis)
VALUES (:target_id, :year, :value, :goal, :status, :note, :basis)
