terraform import lightrun_agent_pool.prod 5b0a3c2e-1f4d-4c59-9a57-0d2b8f1e6a11
