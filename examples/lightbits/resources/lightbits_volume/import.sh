# A volume is imported by "<project_name>/<uuid>". Its size then reads back in the
# largest exact binary unit (e.g. "100GiB").
terraform import lightbits_volume.db default/3f1c8d52-8a3b-4f6e-9c1a-0e5d2b7a9c44
