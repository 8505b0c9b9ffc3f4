"""URLs of every site (tenant schemas): the Wagtail admin, documents, and the page tree."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from sites.core.views import admin_js_catalog
from sites.disclosure.views import ReviewActionView

urlpatterns = [
    # Two-factor pages sit outside Wagtail's admin URLs: those would demand the very sign-in
    # they complete.
    path("admin/2fa/", include("security.urls")),
    # Before Wagtail's own: an approver lands where they may go, told what happens next.
    path(
        "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        ReviewActionView.as_view(),
        name="review_action",
    ),
    # …and the admin's script strings with ours where Wagtail's zh-Hans catalogue lacks them.
    path("admin/jsi18n/", admin_js_catalog, name="admin_js_catalog"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # robots.txt, sitemap.xml, favicon.ico, 网站地图, 联系我们, feeds
    path("", include("sites.presentation.urls")),
    path("", include("federation.search.urls")),  # /search/ and /api/search/ on every site
    path("", include("federation.library.urls")),  # /api/library/items/: the library, read-only
    path("", include("federation.casework.urls")),  # /banjian/: case status by number + code
    path("", include("federation.onestop.urls")),  # /wsbs/: the hall, guides, applying online
    path("", include("federation.letters.urls")),  # /xinxiang/, /zhaocuo/, /ysqgk/ (issue 15)
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The page tree; English and Mongolian trees at /en/ and /mn/ where a site enables them
# (sites.core.middleware.PlatformLanguageMiddleware activates the language from the prefix).
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
