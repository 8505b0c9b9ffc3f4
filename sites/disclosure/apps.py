from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """Government information publishing (I1–I5): documents, the catalogue, the review flow."""

    name = "sites.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"
