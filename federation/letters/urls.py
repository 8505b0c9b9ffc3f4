from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("xinxiang/", views.mailboxes, name="mailboxes"),
    # Letters are cases: their status page is casework's /banjian/. The old address (in
    # letters, mails and bookmarks already given out) stays, moved permanently.
    path(
        "xinxiang/query/",
        RedirectView.as_view(pattern_name="casework:query", permanent=True, query_string=True),
        name="letter_query",
    ),
    path("xinxiang/<slug:slug>/", views.mailbox, name="mailbox"),
    path("xinxiang/<slug:slug>/write/", views.write, name="mailbox_write"),
    path("xinxiang/<slug:slug>/<str:number>/", views.published_letter, name="published_letter"),
    path("zhaocuo/", views.error_report, name="zhaocuo"),
    path("ysqgk/", views.disclosure_request, name="disclosure_request"),
]
