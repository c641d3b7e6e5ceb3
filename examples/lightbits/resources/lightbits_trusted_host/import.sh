# A trusted host is imported by "<project_name>/<name>".
terraform import lightbits_trusted_host.db1 default/db1
