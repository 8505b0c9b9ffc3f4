from django.apps import AppConfig


class LettersConfig(AppConfig):
    """Letters to mailboxes (X1), 找错 reports and 依申请公开 requests (I2): three kinds of
    case on the case machine (federation.casework), with what each kind adds — the mailbox,
    the office's review and publication, the legal answer types — in the public schema."""

    name = "federation.letters"
    label = "letters"
    verbose_name = "信箱与依申请公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the case machine's registry is filled once the apps are loaded
        from federation.casework.kinds import register_kind

        from .models import KINDS

        for code, (label, prefix, actions) in KINDS.items():
            register_kind(code, label, prefix, actions=actions)
