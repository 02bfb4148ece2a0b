-- The rank universes, before init-db loads data/reference/rank_universes.csv again.
DELETE FROM rank_universe
