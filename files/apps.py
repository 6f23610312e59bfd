from django.apps import AppConfig


class FilesConfig(AppConfig):
    """The one way a file enters storage: inspected facts, staged uploads, promote() into a record."""

    name = "files"
    verbose_name = "Stored files"
