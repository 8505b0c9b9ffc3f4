from django.apps import AppConfig


class InteractionConfig(AppConfig):
    """Interaction with the public (X2–X5): the message board, surveys and solicitations,
    online interviews, consultation and hot questions. Mailboxes, 找错 and 依申请公开 are
    kinds of case on the case machine (federation.casework)."""

    name = "sites.interaction"
    label = "interaction"
    verbose_name = "互动交流"
