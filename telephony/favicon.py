"""`/favicon.ico`: the product's icon (static/favicon.svg drawn at 16, 32 and 48 px), for every client that
asks the site root for it — browsers on the admin's pages and on any page without a `<link rel="icon">`."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request) -> FileResponse:
    path = finders.find("favicon.ico")
    if not path:
        raise Http404("favicon.ico is missing from the static files")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # FileResponse closes the file
