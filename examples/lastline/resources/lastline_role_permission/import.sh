terraform import 'lastline_role_permission.soc["can_access_alerts"]' "SOC analysts/can_access_alerts"
