import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telephony.settings")
django_application = get_wsgi_application()

# The DNI endpoint, called on every page view of every customer site, is
# answered before Django's middleware (see call_tracking/api/dni.py).
from call_tracking.api.dni import serve_first  # noqa: E402  (after Django is set up)

application = serve_first(django_application)
