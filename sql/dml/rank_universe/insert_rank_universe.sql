INSERT INTO rank_universe (universe, universe_zh, city, province, region, source)
VALUES (:universe, :universe_zh, :city, :province, :region, :source)
