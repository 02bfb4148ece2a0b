-- Every station's city and province, for the hourly scope (pipeline/jobs/air.py HOURLY_SCOPES).
SELECT station_code, city_zh, province_zh FROM station
