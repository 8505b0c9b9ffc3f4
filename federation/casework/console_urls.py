from django.urls import path

from . import console_views

app_name = "casework_console"
urlpatterns = [path("", console_views.privacy_page, name="privacy")]
