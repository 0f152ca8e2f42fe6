"""Pool services, split by sub-domain: caller-ID carousels and call-tracking pools."""
