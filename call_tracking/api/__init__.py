"""The v3 API (seed 002): call-tracking number pools, DNI and incoming calls."""
