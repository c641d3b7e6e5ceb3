# Imported by "<project_name>/<name>" of the trusted host. The secrets are not read
# back: the first apply after an import sends them again (secrets_wo_version is new).
terraform import lightbits_trusted_host_secret.db1 default/db1
