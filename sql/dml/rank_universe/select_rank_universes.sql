-- Every rank universe's member cities.
SELECT universe, universe_zh, city, province, region, source FROM rank_universe ORDER BY universe, city
