from django.urls import path

from . import api

app_name = "library"
urlpatterns = [
    path("api/library/items/", api.items, name="api_items"),
    path("api/library/openapi.json", api.openapi, name="api_openapi"),
]
