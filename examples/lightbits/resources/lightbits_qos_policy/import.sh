# A QoS policy is imported by its UUID.
terraform import lightbits_qos_policy.gold 3fa85f64-5717-4562-b3fc-2c963f66afa6
