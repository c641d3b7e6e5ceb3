# An application is imported by its ID; its site is found from the API.
terraform import luminate_web_application.wiki 3fa85f64-5717-4562-b3fc-2c963f66afa6
