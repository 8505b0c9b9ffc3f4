from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("banjian/", views.query, name="query"),
    path("banjian/<str:number>/", views.case_detail, name="case"),
    path("banjian/<str:number>/buzheng/", views.supplement, name="supplement"),
    path("banjian/<str:number>/files/<int:attachment_id>/", views.download, name="download"),
]
