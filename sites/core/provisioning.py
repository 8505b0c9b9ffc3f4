"""What a new site starts with: home page, its kind's column tree, `Site` row and identity.

A provisioning step (SITE_PROVISIONING_STEPS): runs inside the new site's schema, inside
provisioning's transaction (tenants.services.provision_site).
"""

from django.conf import settings
from wagtail.models import Page, Site

from .models import ColumnPage, HomePage, SiteIdentity

T = ColumnPage.ColumnType

# slug, title, column type — by kind of site. Kept short and unambiguous (V1).
COLUMN_TREES = {
    "portal": [
        ("yaowen", "要闻动态", T.NEWS),
        ("tzgg", "通知公告", T.NOTICES),
        ("zwgk", "政务公开", T.DISCLOSURE),
        ("zcjd", "政策解读", T.INTERPRETATION),
        ("bsfw", "办事服务", T.SERVICES),
        ("hdjl", "互动交流", T.INTERACTION),
        ("ztzl", "专题专栏", T.TOPICS),
    ],
    "district": [
        ("gzdt", "工作动态", T.NEWS),
        ("tzgg", "通知公告", T.NOTICES),
        ("zwgk", "政府信息公开", T.DISCLOSURE),
        ("zcwj", "政策文件", T.POLICY),
        ("zcjd", "政策解读", T.INTERPRETATION),
        ("bsfw", "办事服务", T.SERVICES),
        ("hdjl", "互动交流", T.INTERACTION),
    ],
    "department": [
        ("bmdt", "部门动态", T.NEWS),
        ("tzgg", "通知公告", T.NOTICES),
        ("zwgk", "信息公开", T.DISCLOSURE),
        ("jgzn", "机构职能", T.ORGANISATION),
        ("zcfg", "政策法规", T.POLICY),
        ("bsfw", "办事服务", T.SERVICES),
        ("hdjl", "互动交流", T.INTERACTION),
    ],
}


def build_site_content(website) -> HomePage:
    root = Page.get_first_root_node()
    # The cloned template carries Wagtail's placeholder "Welcome" page; a site starts clean.
    for placeholder in root.get_children().exclude(content_type__model="homepage"):
        placeholder.delete()
    root.refresh_from_db()

    home = root.add_child(instance=HomePage(title=website.legal_name, slug="home"))
    for slug, title, column_type in COLUMN_TREES[website.kind]:
        home.add_child(
            instance=ColumnPage(title=title, slug=slug, column_type=column_type, show_in_menus=True)
        )

    Site.objects.all().delete()
    site = Site.objects.create(
        hostname=website.primary_domain,
        port=settings.SITE_PUBLIC_PORT,
        root_page=home,
        is_default_site=True,
        site_name=website.legal_name,
    )
    SiteIdentity.objects.create(
        site=site,
        theme=SiteIdentity.Theme.BLUE if website.kind == "department" else SiteIdentity.Theme.RED,
    )
    return home
