from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from security.roles import WEBMASTER, ensure_console_roles, ensure_site_roles, roles_fingerprint
from tenants import services
from tenants.models import Website


class Command(BaseCommand):
    help = (
        "Create or complete the role groups on sites provisioned before the roles existed "
        "(idempotent); --demote-superusers turns their superuser webmasters into 网站管理员."
    )

    def add_arguments(self, parser):
        parser.add_argument("schemas", nargs="*", help="sites (default: every site)")
        parser.add_argument(
            "--demote-superusers",
            action="store_true",
            help="superusers of a site's schema become members of 网站管理员",
        )
        parser.add_argument(
            "--changed",
            action="store_true",
            help="only the sites whose roles were last ensured with other role definitions "
            "than this code's (what setup_platform runs: one query when none changed)",
        )

    def handle(self, *args, **opts):
        try:
            sites = [services.get_site(s) for s in opts["schemas"]] or list(
                outdated_sites() if opts["changed"] else services.sites()
            )
        except services.ProvisioningError as exc:
            raise CommandError(str(exc)) from None
        fingerprint = roles_fingerprint()
        ensure_console_roles()
        for site in sites:
            with schema_context(site.schema_name):
                ensure_site_roles(site)
                demoted = []
                if opts["demote_superusers"]:
                    webmasters = Group.objects.get(name=WEBMASTER)
                    for user in get_user_model().objects.filter(is_superuser=True):
                        user.is_superuser = False
                        user.save(update_fields=["is_superuser"])
                        user.groups.add(webmasters)
                        demoted.append(user.get_username())
            # Recorded once the site's roles are in place: a site that failed keeps its old
            # fingerprint and is ensured again by the next run.
            Website.objects.filter(pk=site.pk).update(roles_fingerprint=fingerprint)
            note = f"; demoted {', '.join(demoted)}" if demoted else ""
            self.stdout.write(f"{site.schema_name}: roles in place{note}")
        if opts["changed"] and not opts["schemas"]:
            self.stdout.write(
                f"Roles ensured on {len(sites)} sites whose role definitions changed."
            )


def outdated_sites():
    return services.sites().exclude(roles_fingerprint=roles_fingerprint()).order_by("schema_name")
