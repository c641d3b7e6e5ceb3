terraform import lighthouse_alias.web1 10.0.0.11:2375/v1.18
