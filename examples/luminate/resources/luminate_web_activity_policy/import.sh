# A policy is imported by its ID.
terraform import luminate_web_activity_policy.no_exfiltration 0f8fad5b-d9cb-469f-a165-70867728950e
