"""The DID inventory's admin: DIDs (did), audit log (audit), operators and packages (packages)."""

from dids.admin import audit, did, packages  # noqa: F401 - registers the ModelAdmins
