# A site is imported by its ID.
terraform import luminate_site.office 3fa85f64-5717-4562-b3fc-2c963f66afa6
