"""The DID inventory admin: DIDs, file import, audit log, operators and packages."""

from dids.admin import audit, did, imports, packages  # noqa: F401 - registers the ModelAdmins
