terraform import lastline_role.soc "SOC analysts"
