from django.contrib.auth import views as auth_views
from django.urls import path

from security.forms import ConsoleLoginForm

from . import screening, views

app_name = "console"
urlpatterns = [
    path("", views.site_list, name="site_list"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="tenants/console/login.html",
            authentication_form=ConsoleLoginForm,
            # not LOGIN_REDIRECT_URL (/accounts/profile/):
            # the console has no such page
            next_page="console:site_list",
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("sites/new/", views.provision, name="provision"),
    path("sites/responsibility/", views.responsibility, name="responsibility"),
    path("accounts/", views.accounts, name="accounts"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("terms/", views.protected_terms, name="protected_terms"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:entry_id>/delete/", views.calendar_delete, name="calendar_delete"),
    path("screening/", screening.dictionary, name="screening"),
    path("sites/<str:schema_name>/", views.site_detail, name="site_detail"),
    path("sites/<str:schema_name>/status/", views.change_status, name="change_status"),
    path("sites/<str:schema_name>/registry/", views.edit_registry, name="edit_registry"),
    path("sites/<str:schema_name>/domains/", views.edit_domains, name="edit_domains"),
    path(
        "sites/<str:schema_name>/responsibility/",
        views.edit_responsibility,
        name="edit_responsibility",
    ),
]
