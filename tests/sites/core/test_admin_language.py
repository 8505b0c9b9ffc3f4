"""Issue 13 item 6: the admin reads in Chinese and does not say "Wagtail", for a webmaster and
an editor, even when the browser asks for English (Chromium's default Accept-Language)."""

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from wagtail.models import Page

from tests.clients import admin_client, site_client
from tests.sites.disclosure.factories import make_document, make_user

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
# Words the walk through the demo met, and their kin: none may show on a screen.
ENGLISH = [
    "Pages",
    "Page type",
    "Images",
    "Documents",
    "Search all pages",
    "Password",
    "editor guide",
    "Editor Guide",
    "Dashboard",
    "Actions",
    "Saved",
    "Exploring",
    "Sort by",
    "Date updated",
    "Edited by",
    "Theme preferences",
    "matching page",
    "Anyone can edit",
    "Shortcuts",
    "Referenced",
    "Locking",
    "Locked by",
    "Go to the first error",
    "Sign in",
    "Search",
    "Settings",
    "Account",
    "Log out",
    "Help",
    "Reports",
    "Publish",
    "Save draft",
    "Preview",
    "History",
    "Title",
    "Status",
    "Live",
    "Draft",
    "Privacy and access",
]
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")


def screen_text(html: str) -> list[str]:
    """What a person sees or hears: text, labels and the sidebar's menu (rendered from JSON)."""
    soup = BeautifulSoup(html, "html.parser")
    texts = []
    for script in soup.find_all("script"):
        if script.get("id") == "wagtail-sidebar-props":
            texts += re.findall(r'"label": "((?:[^"\\]|\\.)*)"', script.get_text())
            texts = [json.loads(f'"{t}"') for t in texts]
        script.decompose()
    for tag in soup(["style", "template"]):
        tag.decompose()
    for select in soup.find_all("select"):
        if "time_zone" in (select.get("name") or ""):
            select.decompose()  # the time zones' own names (Asia/Shanghai …)
    texts += [" ".join(t.split()) for t in soup.find_all(string=True) if t.strip()]
    for element in soup.find_all(True):
        texts += [element[a] for a in ATTRIBUTES if isinstance(element.get(a), str)]
    return texts


def english_on(html: str) -> list[str]:
    found = []
    for text in screen_text(html):
        if "Wagtail" in text:
            found.append(text)
        found += [f"{word!r} in {text!r}" for word in ENGLISH if re.search(rf"\b{word}\b", text)]
    return found


def screens(doc, home, column):
    return [
        "/admin/",
        f"/admin/pages/{home.pk}/",
        f"/admin/pages/{doc.pk}/edit/",
        f"/admin/pages/{doc.pk}/history/",
        "/admin/pages/search/?q=通知",
        "/admin/account/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/help/",
        f"/admin/pages/add/disclosure/policydocumentpage/{column.pk}/",
    ]


WEBMASTER_SCREENS = ["/admin/redirects/", "/admin/reports/locked/", "/admin/mail/", "/admin/users/"]


def test_webmaster_and_editor_screens_are_in_chinese(alpha):
    with schema_context(alpha.schema_name):
        doc = make_document(publish=True)
        home = Page.objects.get(depth=2)
        column = doc.get_parent()
        editor = make_user("lang_editor", "编辑")
    found = {}
    for who, client in (
        ("webmaster", admin_client(alpha)),
        ("editor", site_client(alpha, editor, **BROWSER)),
    ):
        client.defaults.update(BROWSER)
        for url in screens(doc, home, column) + (WEBMASTER_SCREENS if who == "webmaster" else []):
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            if english := english_on(response.content.decode()):
                found[f"{who} {url}"] = english
    login = Client(HTTP_HOST=alpha.primary_domain, **BROWSER).get("/admin/login/")
    if english := english_on(login.content.decode()):
        found["login"] = english
    assert not found, found


def test_the_dashboard_links_our_help_not_wagtails_guide(alpha):
    html = admin_client(alpha).get("/admin/").content.decode()
    assert "guide.wagtail.org" not in html and "docs.wagtail.org" not in html
    assert 'href="/admin/help/"' in html


def test_a_user_who_chose_english_gets_it(alpha):
    with schema_context(alpha.schema_name):
        editor = make_user("lang_english", "编辑")
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(editor)
        profile.preferred_language = "en"
        profile.save()
    html = site_client(alpha, editor).get("/admin/").content.decode()
    assert "Dashboard" in html or "Pages" in html


def test_the_compiled_catalogue_matches_its_source():
    """locale/zh_Hans/LC_MESSAGES/django.mo is committed: it must hold every entry of the .po."""
    import gettext

    folder = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    catalogue = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    source = (folder / "django.po").read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid "(.+)"$', source, flags=re.M)
    assert len(msgids) > 40
    for msgid in msgids:
        text = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        assert catalogue.gettext(text) != text or catalogue.ngettext(text, text, 1) != text, text


def test_the_admins_script_strings_are_in_chinese_too(alpha):
    catalogue = admin_client(alpha)
    catalogue.defaults.update(BROWSER)
    script = catalogue.get("/admin/jsi18n/").content.decode()

    def has(text):
        return text in script or json.dumps(text)[1:-1] in script

    for chinese in ("正在自动保存", "插入内容块", "修改已自动保存"):  # ours
        assert has(chinese), chinese
    assert has("保存")  # and Wagtail's own are still there


def test_the_review_panels_on_the_dashboard_are_in_chinese(alpha):
    # The panels of a pending review (the reviewer's 等待你的审查, the editor's own pages in
    # review) showed Wagtail's "Privacy and access" column in English.
    with schema_context(alpha.schema_name):
        editor = make_user("lang_submitter", "编辑")
        reviewer = make_user("lang_reviewer", "审核员")
        doc = make_document(publish=False, grade="general", title="关于审核面板的通知")
        doc.save_revision(user=editor)
        doc.get_workflow().start(doc, editor)
    found = {}
    for who, user in (("reviewer", reviewer), ("editor", editor)):
        html = site_client(alpha, user, **BROWSER).get("/admin/").content.decode()
        assert "关于审核面板的通知" in html, who
        if english := english_on(html):
            found[who] = english
    assert not found, found
