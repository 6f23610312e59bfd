"""Private file storage in an S3-compatible bucket (chosen by STORAGE_S3_BUCKET, see settings).

Evidence, letters, signed agreements and attachments leave storage only through the portal's own
views, which check role and school, log the download and stream the bytes. So the bucket is never
linked to: `url()` gives the same unserved placeholder the local folder has, where the plain
backend would mint a pre-signed link that works for anyone holding it (for example an admin page
rendering a FileField). Everything else (open, save, exists, delete) is django-storages' S3Storage.
"""

from __future__ import annotations

from urllib.parse import quote

from storages.backends.s3 import S3Storage

UNSERVED_PREFIX = "/private-files-are-not-served/"


class PrivateS3Storage(S3Storage):
    def url(self, name: str, parameters: dict | None = None, expire: int | None = None, http_method=None) -> str:
        return UNSERVED_PREFIX + quote(name or "")
