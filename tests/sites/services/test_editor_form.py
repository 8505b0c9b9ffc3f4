"""The editor's form (issue 14, item 1): themes and life events as checkboxes (life events from
the portal's editable list), parallel departments chosen from the registry (not the site
itself), materials and steps as inline lists; what is saved is what the library carries."""

from django.test import Client

from sites.services.models import ServiceItemPage
from tests.clients import admin_client

from .factories import edit_form, make_item, services_index


def test_the_add_form_offers_the_registry_and_the_lists(alpha, in_alpha):
    client = admin_client(alpha)
    html = client.get(
        f"/admin/pages/add/services/serviceitempage/{services_index().pk}/"
    ).content.decode()
    assert 'value="beta"' in html and "乌海市乙局" in html  # a department of the registry
    assert 'name="parallel_sites" value="alpha"' not in html  # not the site itself
    assert 'name="themes" value="交通出行"' in html and 'name="life_events" value="上学"' in html
    assert "申请材料" in html and "办理流程" in html


def test_choices_are_saved_and_reach_the_guide(alpha, in_alpha):
    page = make_item(publish=False)
    client = admin_client(alpha)
    form = edit_form(page)
    form.update(
        {
            "themes": ["交通出行", "就业创业"],
            "life_events": ["就业创业"],
            "parallel_sites": ["beta"],
        }
    )
    client.post(f"/admin/pages/{page.pk}/edit/", form, follow=True)
    page = ServiceItemPage.objects.get(pk=page.pk)
    assert page.live and page.themes == ["交通出行", "就业创业"] and page.parallel_sites == ["beta"]
    projection = page.library_projection()
    assert projection["themes"] == ["交通出行", "就业创业"] and projection["parallel_sites"] == [
        "beta"
    ]
    assert projection["guide"]["materials"][0]["name"] == "居民身份证"


def test_an_unknown_department_is_refused(alpha, in_alpha):
    page = make_item(publish=False)
    form = edit_form(page)
    form["parallel_sites"] = ["public"]
    response = admin_client(alpha).post(f"/admin/pages/{page.pk}/edit/", form)
    assert not ServiceItemPage.objects.get(pk=page.pk).live
    assert "public" not in ServiceItemPage.objects.get(pk=page.pk).parallel_sites
    assert response.status_code == 200  # the form again, with the error


def test_a_visitor_sees_the_department_page_and_another_site_does_not(alpha, beta, in_alpha):
    page = make_item(title="甲区专有事项")
    assert (
        "甲区专有事项"
        in Client()
        .get(page.url_path.replace("/home", "", 1), HTTP_HOST=alpha.primary_domain)
        .content.decode()
    )
    response = Client().get(page.url_path.replace("/home", "", 1), HTTP_HOST=beta.primary_domain)
    assert response.status_code == 404
