# <company_id>/<id>, or <id> for a key of the provider's company_id.
terraform import lightrun_system_api_key.ci c0ffee00-0000-4000-8000-000000000001/8f14e45f-ceea-467f-a8ad-0d2e7b5b0c11
