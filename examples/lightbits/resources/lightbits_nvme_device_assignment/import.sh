# Import by device serial number.
terraform import lightbits_nvme_device_assignment.extra S2D2NVME0022
