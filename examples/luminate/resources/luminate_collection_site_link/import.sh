# Imported by the site's ID: all of its collection links.
terraform import luminate_collection_site_link.office 3fa85f64-5717-4562-b3fc-2c963f66afa6
