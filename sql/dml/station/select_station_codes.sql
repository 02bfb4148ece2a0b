SELECT station_code FROM station
