from django.urls import path

from . import views

app_name = "presentation"
urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap_xml"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("wzdt/", views.site_map, name="site_map"),  # 网站地图
    path("lxwm/", views.contact, name="contact"),  # 联系我们
    path("feeds/column/<int:column_id>/rss.xml", views.ColumnFeed(), name="column_rss"),
    path("feeds/column/<int:column_id>/atom.xml", views.AtomColumnFeed(), name="column_atom"),
    path("feeds/catalogue/rss.xml", views.CatalogueFeed(), name="catalogue_rss"),
    path("feeds/catalogue/atom.xml", views.AtomCatalogueFeed(), name="catalogue_atom"),
]
