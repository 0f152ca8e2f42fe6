"""Call-origination backends behind one interface; the simulator comes first (dialer issue)."""
