terraform import lightrun_group.oncall 0e2f7a84-6a47-4a71-9f0e-8d3cb1e2d9f0
