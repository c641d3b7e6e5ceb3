# <appliance_uuid>
terraform import lastline_appliance.branch a11a0000-0000-4000-8000-000000000001
