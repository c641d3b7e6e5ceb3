# A snapshot is imported by "<project_name>/<uuid>". Its retention_time then reads
# back in the largest whole unit (e.g. "168h").
terraform import lightbits_snapshot.nightly default/9b2e4c1d-5f6a-4b7c-8d9e-0a1b2c3d4e5f
