-- Upsert of one reading without a window (`ingest air`): remove the same natural key first.
DELETE FROM air_hourly WHERE station_code = :station_code AND hour_end = :hour_end AND pollutant = :pollutant
