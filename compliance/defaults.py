"""The shipped table of legal calling hours (README "Legal calling hours, caps and local presence").

A starting point, not legal advice: administrators edit it in the admin.
Days: bit 0 is Monday. Rows of one (country, region) are alternatives.
"""

WEEKDAYS, SATURDAY, SUNDAY = 0b0011111, 0b0100000, 0b1000000
ALL = WEEKDAYS | SATURDAY | SUNDAY

# (country, region, zones of the region or "", start, end, days, source)
DEFAULT_WINDOWS = [
    ("GB", "", "", "08:00", "21:00", ALL, "Ofcom persistent-misuse guidance, industry practice"),
    ("US", "", "", "08:00", "21:00", ALL, "TCPA, 47 CFR 64.1200(c)(1)"),
    ("US", "FL", "America/New_York,America/Chicago", "08:00", "20:00", ALL, "Florida Telephone Solicitation Act"),
    ("US", "OK", "America/Chicago", "08:00", "20:00", ALL, "Oklahoma Telephone Solicitation Act"),
    ("US", "WA", "America/Los_Angeles", "08:00", "20:00", ALL, "RCW 80.36.390"),
    ("US", "TX", "America/Chicago,America/Denver", "09:00", "21:00", WEEKDAYS | SATURDAY, "Tex. Bus. & Com. 305.053"),
    ("US", "TX", "America/Chicago,America/Denver", "12:00", "21:00", SUNDAY, "Tex. Bus. & Com. 305.053"),
    ("CA", "", "", "09:00", "21:30", WEEKDAYS, "CRTC Unsolicited Telecommunications Rules"),
    ("CA", "", "", "10:00", "18:00", SATURDAY | SUNDAY, "CRTC Unsolicited Telecommunications Rules"),
    ("AU", "", "", "09:00", "20:00", WEEKDAYS, "Telemarketing and Research Calls Industry Standard 2017"),
    ("AU", "", "", "09:00", "17:00", SATURDAY, "Telemarketing and Research Calls Industry Standard 2017"),
    ("DE", "", "", "08:00", "21:00", WEEKDAYS | SATURDAY, "industry practice (no statutory hours)"),
    ("FR", "", "", "10:00", "13:00", WEEKDAYS, "Décret 2022-1313"),
    ("FR", "", "", "14:00", "20:00", WEEKDAYS, "Décret 2022-1313"),
    ("RU", "", "", "08:00", "22:00", WEEKDAYS, "230-FZ art. 7"),
    ("RU", "", "", "09:00", "20:00", SATURDAY | SUNDAY, "230-FZ art. 7"),
]
