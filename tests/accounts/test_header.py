"""The header every page carries: the role's menu, the school switcher, the person's menu and the
language buttons, with every name escaped and every form protected by the page's CSRF token."""

import re

from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import make_school

HOSTILE = '<img src=x onerror="alert(1)">'


def test_the_header_escapes_names_marks_the_current_page_and_protects_its_forms(cast, client_for):
    elsewhere = make_school("EVL", f"Evil {HOSTILE} Academy")
    Membership.objects.create(user=cast.headteacher, school=elsewhere, role=Role.GOVERNOR)
    cast.headteacher.full_name = f"Aisha {HOSTILE}"
    cast.headteacher.save()
    page = client_for(cast.headteacher).get(reverse("incidents:list")).content.decode()

    assert HOSTILE not in page
    assert "Aisha &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "Evil &lt;img" in page  # the switcher names the other school, escaped
    assert "Acting as Headteacher" in page
    current = re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)">', page)
    assert current == [reverse("incidents:list")]
    # Language, switch school, sign out: each form carries the one token of the page.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 3 and len(set(tokens)) == 1
    assert f'action="{reverse("accounts:logout")}"' in page
    assert 'lang="cy">Cymraeg</button>' in page


def test_a_parent_sees_their_own_menu_and_no_school_settings(cast, client_for):
    page = client_for(cast.parent).get(reverse("dashboard:home")).content.decode()
    assert 'id="main-nav"' in page
    assert ">School</button>" not in page and "Acting as" not in page
    assert "Recovery codes" not in page  # parents sign in without a second factor


def test_a_visitor_gets_the_language_buttons_and_no_menu(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="language-menu' in page and 'id="main-nav"' not in page
    login = reverse("accounts:login")
    assert f'<input type="hidden" name="next" value="{login}">' in page
