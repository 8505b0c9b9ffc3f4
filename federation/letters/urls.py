from django.urls import path

from . import views

urlpatterns = [
    path("xinxiang/", views.mailboxes, name="mailboxes"),
    path("xinxiang/query/", views.query, name="letter_query"),
    path("xinxiang/<slug:slug>/", views.mailbox, name="mailbox"),
    path("xinxiang/<slug:slug>/write/", views.write, name="mailbox_write"),
    path("xinxiang/<slug:slug>/<str:number>/", views.published_letter, name="published_letter"),
    path("zhaocuo/", views.error_report, name="zhaocuo"),
    path("ysqgk/", views.disclosure_request, name="disclosure_request"),
]
