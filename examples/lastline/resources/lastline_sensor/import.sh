# <access_key>:<subkey>
terraform import lastline_sensor.perimeter ACMEHOSTED0000000001:perimeter01
