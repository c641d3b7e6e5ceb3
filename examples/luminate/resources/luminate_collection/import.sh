# A collection is imported by its ID.
terraform import luminate_collection.engineering 7c9e6679-7425-40de-944b-e07fc1f90ae7
