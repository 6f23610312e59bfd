"""Private files in an S3-compatible bucket: the real S3 API, served locally by moto's server.

Nothing outside this process is needed (moto runs in a thread on a loopback port), so these run in
the ordinary suite. Each test points the default storage at its own key prefix in one private
bucket and drives the portal's own views: files go in and come out only through the storage API
and the permission-checking views, never through a path on disk or a bucket link.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.storage import storages as storage_registry
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from incidents import actions as incident_actions
from incidents.letters import actions as letter_actions
from incidents.letters.models import EvidenceBundle, Letter, LetterKind
from incidents.models import Evidence, Platform
from schoolsocial.lib.storage import PrivateS3Storage
from schoolsocial.lib.uploads import inspect_upload
from tests.conftest import ensure_reference_data
from tests.incidents.conftest import image_bytes, upload
from tests.letters.builders import make_case

pytestmark = pytest.mark.django_db

BUCKET = "schoolsocial-private-test"
REGION = "eu-west-2"
CREDENTIALS = {"access_key": "testing-key", "secret_key": "testing-secret"}


@dataclass
class S3:
    endpoint: str
    client: Any  # a boto3 S3 client (boto3 ships no types)
    prefix: str

    def stored_keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET, Prefix=self.prefix + "/")
        return [item["Key"] for item in listed.get("Contents", [])]

    def key_for(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def anonymous_get(self, key: str) -> int:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{BUCKET}/{key}", timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    # moto keeps its buckets in process-wide state: another module's server may have made it already.
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def s3(moto_endpoint: str, settings, tmp_path) -> Iterator[S3]:
    """The default storage is the private S3 backend, configured as settings.py does it, under a
    key prefix of this test's own. The local folder points somewhere empty, to show it stays so."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT = tmp_path / "unused-local-folder"
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "schoolsocial.lib.storage.PrivateS3Storage",
            "OPTIONS": {
                **CREDENTIALS,
                "bucket_name": BUCKET,
                "location": prefix,
                "endpoint_url": moto_endpoint,
                "region_name": REGION,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
                "max_memory_size": 2 * 1024 * 1024,
            },
        },
    }
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    with override_settings(STORAGES=storages):
        assert isinstance(storage_registry["default"], PrivateS3Storage)
        yield S3(moto_endpoint, client, prefix)
    assert not (tmp_path / "unused-local-folder").exists(), "a file was written to the local folder"


def report_form(client) -> dict:
    ensure_reference_data()
    page = client.get(reverse("incidents:report"))
    found = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert found, "the report form carries its one-time token"
    token = found.group(1)
    return {
        "form_token": token,
        "platform": Platform.objects.get(name="Facebook").pk,
        "url_text": "https://www.facebook.com/groups/123/posts/456",
        "account_name": "Northbrook Mums & Dads",
        "posted_at": "",
        "seen_at": "2026-01-12T19:40",
        "content": "Someone said the head is lying about the school trip money.",
        "natures": ["complaint", "defamatory"],
        "targeted": "The headteacher",
        "poster_kind": "parent",
        "poster_certainty": "likely",
    }


def test_evidence_goes_into_the_bucket_and_comes_back_only_through_the_checked_view(
    cast, client_for, s3, django_capture_on_commit_callbacks
):
    screenshot = image_bytes("PNG", (120, 80), (10, 120, 200))
    client = client_for(cast.parent)
    data = {**report_form(client), "evidence": [upload("post screenshot.png", screenshot)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:report"), data)
    assert response.status_code == 302

    evidence = Evidence.objects.get()
    key = s3.key_for(evidence.file.name)
    # The staged copy was promoted into the evidence's own key, then removed: no leftovers.
    assert s3.stored_keys() == [key] and "/evidence/" in key
    head = s3.client.head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    stored = s3.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == screenshot and evidence.sha256 == hashlib.sha256(screenshot).hexdigest()

    download = client_for(cast.headteacher).get(reverse("incidents:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content == screenshot
    assert hashlib.sha256(content).hexdigest() == evidence.sha256
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "image/png"

    # The object is private: no link is handed out, and the bucket refuses a direct request.
    assert evidence.file.url.startswith("/private-files-are-not-served/")
    assert s3.anonymous_get(key) == 403
    # Another school's headteacher gets the same 404 as for a file that does not exist.
    other = client_for(cast.other_headteacher).get(reverse("incidents:evidence_download", args=[evidence.pk]))
    assert other.status_code == 404


def test_a_missing_object_is_a_404_not_a_500(cast, client_for, s3):
    client = client_for(cast.parent)
    client.post(reverse("incidents:report"), {**report_form(client), "evidence": [upload("gone.png")]})
    evidence = Evidence.objects.get()
    s3.client.delete_object(Bucket=BUCKET, Key=s3.key_for(evidence.file.name))
    response = client_for(cast.headteacher).get(reverse("incidents:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_a_letter_is_rendered_into_the_bucket_with_the_logo_read_from_it(
    cast, client_for, s3, django_capture_on_commit_callbacks
):
    school = cast.school
    school.logo.save("crest.png", ContentFile(image_bytes("PNG", (60, 60), (0, 90, 40))), save=True)
    incident, step = make_case(cast)
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter_actions.finalise(letter=letter, by=cast.headteacher)
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.pdf_sha256

    key = s3.key_for(letter.pdf.name)
    assert key in s3.stored_keys()
    assert s3.client.head_object(Bucket=BUCKET, Key=key)["ServerSideEncryption"] == "AES256"
    letter_actions.check_locked(letter)  # reads the stored PDF back through the storage API

    response = client_for(cast.headteacher).get(reverse("letters:pdf", args=[letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == letter.pdf_sha256
    assert content.startswith(b"%PDF-")
    sizes = [image.image.size for image in PdfReader(io.BytesIO(content)).pages[0].images]
    assert (60, 60) in sizes  # the crest, read from the bucket
    assert s3.anonymous_get(key) == 403
    # An object gone from the bucket is a 404 for the person, never a server error.
    s3.client.delete_object(Bucket=BUCKET, Key=key)
    assert client_for(cast.headteacher).get(reverse("letters:pdf", args=[letter.pk])).status_code == 404


def test_the_referral_bundle_is_built_from_the_bucket(cast, client_for, s3, django_capture_on_commit_callbacks):
    incident, step = make_case(cast)
    screenshot = image_bytes("PNG", (90, 60), (250, 200, 0))
    file = upload("screen shot.png", screenshot)
    incident_actions.add_evidence(
        incident=incident, by=cast.headteacher, uploads=[(file, inspect_upload(file))], description="Screenshot"
    )
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter_actions.finalise(letter=letter, by=cast.headteacher)
    letter = Letter.objects.get(pk=letter.pk)

    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:bundle_create", args=[incident.pk]))
    bundle = EvidenceBundle.objects.get()
    assert bundle.sha256
    assert s3.key_for(bundle.file.name) in s3.stored_keys()

    download = client.get(reverse("letters:bundle_download", args=[bundle.pk]))
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == bundle.sha256
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read(f"evidence/evidence-{incident.reference}-1.png") == screenshot
    assert hashlib.sha256(archive.read(f"letters/{letter.filename}")).hexdigest() == letter.pdf_sha256
    sums = archive.read("SHA256SUMS").decode()
    assert f"{hashlib.sha256(screenshot).hexdigest()}  evidence/evidence-{incident.reference}-1.png" in sums
    assert s3.anonymous_get(s3.key_for(bundle.file.name)) == 403


def test_names_never_clash_and_nothing_is_overwritten(s3):
    first = default_storage.save("policies/pdf/policy.pdf", ContentFile(b"%PDF-1 first"))
    second = default_storage.save("policies/pdf/policy.pdf", ContentFile(b"%PDF-1 second"))
    assert first != second
    with default_storage.open(first, "rb") as handle:
        assert handle.read() == b"%PDF-1 first"
    default_storage.delete(second)
    assert default_storage.exists(first) and not default_storage.exists(second)
