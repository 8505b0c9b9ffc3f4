"""Two-factor pages: under /admin/2fa/ on every site and /2fa/ on the console."""

from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("", views.two_factor_verify, name="2fa_verify"),
    path("setup/", views.two_factor_setup, name="2fa_setup"),
]
