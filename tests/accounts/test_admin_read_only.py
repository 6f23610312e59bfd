"""Case records, signatures and the access log change only through the portal: even a superuser
may look at them in the admin, never add, change or delete them there."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

READ_ONLY = ["accounts_accesslog", "incidents_incident", "incidents_schoolplatform", "agreements_signature"]


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_admin_lists_but_cannot_add(client_for, model):
    admin = User.objects.create_superuser(email="admin@example.org", password="x-unused-x", full_name="Site Admin")
    client = client_for(admin)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
