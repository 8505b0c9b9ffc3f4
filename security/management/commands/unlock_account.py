import getpass

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from security import lockout
from security.audit.context import acting_as
from security.audit.services import record


class Command(BaseCommand):
    help = "Lift a sign-in lockout: an account or an address, on a site or (public) the console."

    def add_arguments(self, parser):
        parser.add_argument("--schema", default="public", help="site schema (default: the console)")
        parser.add_argument("--ip", help="unlock this address instead of an account")
        parser.add_argument("username", nargs="?")

    def handle(self, *args, **opts):
        if not opts["username"] and not opts["ip"]:
            raise CommandError("Give a username or --ip.")
        with acting_as(f"cli:{getpass.getuser()}"), schema_context(opts["schema"]):
            if opts["ip"]:
                count = lockout.clear_ip(opts["ip"])
                record("auth.unlock", changes={"ip": opts["ip"]})
            else:
                count = lockout.clear_account(opts["username"])
                record(
                    "auth.unlock",
                    object_type="auth.user",
                    object_repr=opts["username"],
                    changes={"account": opts["username"]},
                )
        self.stdout.write(f"Cleared {count} failure record(s) on {opts['schema']}.")
