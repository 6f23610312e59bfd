import pytest


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    # PDFs go to a throwaway private folder.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
