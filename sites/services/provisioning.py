"""Every site's 网上办事 section at /wsbs/ (a provisioning step; also run for sites made before
this app, by the demo seeder and `manage.py ensure_services_index`)."""

from wagtail.models import Page

from sites.core.models import HomePage

from .models import ServicesIndexPage

SLUG = "wsbs"
TITLE = "网上办事"


def ensure_services_index(website=None) -> ServicesIndexPage | None:
    """The site's services index under its home page, made when missing. Runs in the site's
    schema; returns None for a schema without a home page (the template)."""
    found = ServicesIndexPage.objects.first()
    if found is not None:
        return found
    home = HomePage.of_site()
    if home is None:
        return None
    if Page.objects.child_of(home).filter(slug=SLUG).exists():
        return None  # a page of another type took the slug: left as it is, said by the caller
    return home.add_child(
        instance=ServicesIndexPage(
            title=TITLE,
            slug=SLUG,
            show_in_menus=False,
            intro="本部门办事事项的办事指南：受理条件、申请材料、办理流程和时限，可在线申报的事项可直接申报。",
        )
    )
