import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache_and_private_storage(settings, tmp_path):
    # The "PDF already queued" marks live in the cache; PDFs go to a throwaway private folder.
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    yield
    cache.clear()
