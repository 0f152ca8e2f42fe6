"""Pool dashboard views, split by sub-domain."""
