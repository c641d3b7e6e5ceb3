# Imported by the subsystem name.
terraform import lightbits_in_band_authentication.default DefaultSubSystem
