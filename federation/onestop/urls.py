"""/wsbs/ on every site: the hall (the portal: every department's items), an item's guide,
applying online. Mounted before Wagtail's pages (config/urls_tenants.py): the items' own
pages at /wsbs/<slug>/ stay Wagtail's."""

from django.urls import path

from . import views

app_name = "onestop"
urlpatterns = [
    path("wsbs/", views.hall_page, name="hall"),
    path("wsbs/item/<int:pk>/", views.item_page, name="item"),
    path("wsbs/item/<int:pk>/apply/", views.apply_item, name="apply_item"),
    path("wsbs/apply/<int:page_id>/", views.apply_by_page, name="apply_page"),
]
