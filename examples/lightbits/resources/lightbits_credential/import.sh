# A credential is imported by "<project_name>/<credential_id>". Import reads the
# payload into `payload`, so configure `payload` (not `payload_wo`) for imported ones.
terraform import lightbits_credential.jwt_key default/sso-key-1
