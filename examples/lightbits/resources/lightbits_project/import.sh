# A project is imported by its name.
terraform import lightbits_project.team team-a
