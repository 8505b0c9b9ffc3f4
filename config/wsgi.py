import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# The search's word dictionary (rjieba's, ~0.15 s to load) is loaded before the first request,
# not by the first visitor's search; with gunicorn's preload_app the workers share it.
from federation.search import segment  # noqa: E402

segment.cut("预热")

# Without a broker, this process runs the beat schedule itself (scheduled publishing, outbox
# and delivery sweeps, broadcast boundaries): see the module.
from config.periodic import start_in_process  # noqa: E402

start_in_process()
