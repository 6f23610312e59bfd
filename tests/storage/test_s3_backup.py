"""Backups with the files in a versioned S3 bucket: a listing of every object version, and a restore
that copies the latest versions under a new, empty prefix (moto's S3 server)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tests.dataprotection.test_backup_restore import drill_alias  # noqa: F401 - a fixture
from tests.storage.test_s3_storage import BUCKET, moto_endpoint, s3  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_lists_every_version_and_a_restore_puts_the_latest_back(s3, drill_alias, settings, tmp_path):  # noqa: F811
    s3.client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    storage = storages["default"]
    first = storage.save("evidence/1/post.png", ContentFile(b"first picture"))
    storage.save("letters/1/letter.pdf", ContentFile(b"%PDF- a letter"))
    # A second version of the same key, as S3 keeps when something is written again.
    s3.client.put_object(Bucket=BUCKET, Key=s3.key_for(first), Body=b"second picture")
    out = tmp_path / "backup"
    call_command("backup", out=out)
    listing = json.loads((out / "s3-objects.json").read_text())
    assert listing["bucket"] == BUCKET and listing["prefix"] == s3.prefix + "/"
    versions = [v for v in listing["versions"] if v["key"] == s3.key_for(first)]
    assert len(versions) == 2 and all(v["version_id"] for v in versions)
    assert not (out / "files").exists()  # the bucket keeps the bytes

    with pytest.raises(CommandError, match="storage already holds files"):
        call_command("restore", out, database=drill_alias)  # the live prefix
    new_prefix = f"restored-{uuid.uuid4().hex[:8]}"
    options = {**settings.STORAGES["default"]["OPTIONS"], "location": new_prefix}
    with override_settings(
        STORAGES={**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}
    ):
        with pytest.raises(CommandError, match="already has tables"):
            call_command("restore", out)
        call_command("restore", out, database=drill_alias)
        restored = storages["default"]
        assert restored.open("evidence/1/post.png").read() == b"second picture"
        assert restored.open("letters/1/letter.pdf").read() == b"%PDF- a letter"
