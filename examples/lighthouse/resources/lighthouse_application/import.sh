terraform import lighthouse_application.web web   # or the numeric Id
