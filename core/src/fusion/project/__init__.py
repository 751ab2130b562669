"""Loading a dbt project: dbt_project.yml, profiles.yml, vars."""
