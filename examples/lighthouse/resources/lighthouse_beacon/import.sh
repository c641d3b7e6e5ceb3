terraform import lighthouse_beacon.lab 10.0.0.5:8000
