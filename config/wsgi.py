import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# Scheduled publishing runs by itself in the embedded setup (no broker): see the module.
from sites.disclosure.scheduler import start_in_process  # noqa: E402

start_in_process()
