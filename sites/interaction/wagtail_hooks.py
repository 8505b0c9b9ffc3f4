from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def interaction_admin_urls():
    v = admin_views
    return [
        path("interaction/", v.index, name="interaction_index"),
        path("interaction/posts/", v.posts, name="interaction_posts"),
        path("interaction/posts/<int:pk>/", v.post_detail, name="interaction_post"),
        path("interaction/consultations/", v.consultations, name="interaction_consultations"),
        path(
            "interaction/consultations/<int:pk>/",
            v.consultation_detail,
            name="interaction_consultation",
        ),
        path(
            "interaction/surveys/<int:page_id>/",
            v.survey_results,
            name="interaction_survey_results",
        ),
        path(
            "interaction/surveys/<int:page_id>/comments/<int:answer_id>/",
            v.decide_comment,
            name="interaction_decide_comment",
        ),
        path("interaction/surveys/<int:page_id>/csv/", v.survey_csv, name="interaction_survey_csv"),
        path(
            "interaction/surveys/<int:page_id>/xlsx/", v.survey_xlsx, name="interaction_survey_xlsx"
        ),
        path(
            "interaction/surveys/<int:page_id>/exports/<int:export_id>/",
            v.survey_export,
            name="interaction_survey_export",
        ),
        path(
            "interaction/surveys/<int:page_id>/exports/<int:export_id>/download/",
            v.survey_export_download,
            name="interaction_survey_export_download",
        ),
        path(
            "interaction/interviews/<int:page_id>/",
            v.interview_console,
            name="interaction_interview",
        ),
    ]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_moderate(request.user)


@hooks.register("register_admin_menu_item")
def interaction_menu_item():
    return ModeratorMenuItem(
        "互动交流", reverse("interaction_index"), name="interaction", icon_name="group", order=350
    )
