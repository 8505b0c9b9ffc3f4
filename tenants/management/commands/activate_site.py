from tenants.models import Website

from ._status import StatusCommand


class Command(StatusCommand):
    help = "Set a site's status to active."
    status = Website.Status.ACTIVE
