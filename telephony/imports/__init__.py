"""The streaming file-import engine shared by DIDs, pools and distribution lists."""
