terraform import lighthouse_beacon_permission.release_on_lab release@example.com/10.0.0.5:8000
