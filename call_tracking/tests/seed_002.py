"""The example requests of seed 002, copied as written, with the responses it shows.

Ids and numbers in the responses are the seed's; tests compare the shape field by
field and the values that do not depend on the database.
"""

import json

SEED_EXAMPLES = [
    (
        "geographic by city",
        json.loads(
            """
{
  "name": "ABC Company 123",
  "match_period": 30,
  "quantity": 3,
  "phone_number_request": {
    "number_type": "international",
    "match_type": "geographic",
    "city": "Bristol",
    "iso_country": "GB"
  },
  "replacement_configuration": {
    "numbers_to_replace": [
      "01011231234",
      "4402078395555",
      "4409011231234"
    ],
    "tracking_sources": [
      {
        "referrer_domain": "Any",
        "url_triggers": [
          "gclid=*"
        ]
      }
    ]
  },
  "call_routes": {
    "route_type": "Basic",
    "route": {
      "termination_number": "+441274792823"
    }
  }
}
"""
        ),
        json.loads(
            """
{
    "id": 31849,
    "name": "ABC Company 123",
    "group_id": 12462615,
    "status": "active",
    "match_period": 30,
    "quantity": 3,
    "numbers": [
        {
            "id": 9570553,
            "phone_number": "+441174090162"
        },
        {
            "id": 9570554,
            "phone_number": "+441174090163"
        },
        {
            "id": 9570555,
            "phone_number": "+441174090165"
        }
    ],
    "replacement_configuration": {
        "numbers_to_replace": [
            "01011231234",
            "4402078395555",
            "4409011231234"
        ],
        "tracking_sources": [
            {
                "referrer_domain": "Any",
                "url_triggers": [
                    "gclid=*"
                ],
                "track_organic": false
            }
        ],
        "replace_all_numbers": false
    },
    "sms_routes": {
        "route_type": "None"
    },
    "call_routes": {
        "route_type": "Basic",
        "route": {
            "termination_number": "+441274792823"
        }
    }
}
"""
        ),
    ),
    (
        "geographic by area code",
        json.loads(
            """
{
  "name": "ABC Company 123",
  "match_period": 30,
  "quantity": 3,
  "phone_number_request": {
    "number_type": "international",
    "match_type": "geographic",
    "area_code": "024",
    "iso_country": "GB"
  },
  "replacement_configuration": {
    "numbers_to_replace": [
      "01011231234",
      "4402078395555",
      "4409011231234"
    ],
    "tracking_sources": [
      {
        "referrer_domain": "Any",
        "url_triggers": [
          "gclid=*"
        ]
      }
    ]
  },
  "call_routes": {
    "route_type": "Basic",
    "route": {
      "termination_number": "+441274792823"
    }
  }
}
"""
        ),
        json.loads(
            """
{
    "id": 31850,
    "name": "ABC Company 123",
    "group_id": 12462615,
    "status": "active",
    "match_period": 30,
    "quantity": 3,
    "numbers": [
        {
            "id": 9570557,
            "phone_number": "+442477180193"
        },
        {
            "id": 9570558,
            "phone_number": "+442477180194"
        },
        {
            "id": 9570559,
            "phone_number": "+442477180209"
        }
    ],
    "replacement_configuration": {
        "numbers_to_replace": [
            "01011231234",
            "4402078395555",
            "4409011231234"
        ],
        "tracking_sources": [
            {
                "referrer_domain": "Any",
                "url_triggers": [
                    "gclid=*"
                ],
                "track_organic": false
            }
        ],
        "replace_all_numbers": false
    },
    "sms_routes": {
        "route_type": "None"
    },
    "call_routes": {
        "route_type": "Basic",
        "route": {
            "termination_number": "+441274792823"
        }
    }
}
"""
        ),
    ),
    (
        "toll free",
        json.loads(
            """
{
  "name": "ABC Company 123",
  "match_period": 30,
  "quantity": 3,
  "phone_number_request": {
    "number_type": "international",
    "match_type": "tollfree",
    "iso_country": "GB"
  },
  "replacement_configuration": {
    "numbers_to_replace": [
      "01011231234",
      "4402078395555",
      "4409011231234"
    ],
    "tracking_sources": [
      {
        "referrer_domain": "Any",
        "url_triggers": [
          "gclid=*"
        ]
      }
    ]
  },
  "call_routes": {
    "route_type": "Basic",
    "route": {
      "termination_number": "+441274792823"
    }
  }
}
"""
        ),
        json.loads(
            """
{
    "id": 31851,
    "name": "ABC Company 126",
    "group_id": 12462615,
    "status": "active",
    "match_period": 30,
    "quantity": 3,
    "numbers": [
        {
            "id": 9570560,
            "phone_number": "+448000885644"
        },
        {
            "id": 9570561,
            "phone_number": "+448000885645"
        },
        {
            "id": 9570562,
            "phone_number": "+448000885650"
        }
    ],
    "replacement_configuration": {
        "numbers_to_replace": [
            "01011231234",
            "4402078395555",
            "4409011231234"
        ],
        "tracking_sources": [
            {
                "referrer_domain": "Any",
                "url_triggers": [
                    "gclid=*"
                ],
                "track_organic": false
            }
        ],
        "replace_all_numbers": false
    },
    "sms_routes": {
        "route_type": "None"
    },
    "call_routes": {
        "route_type": "Basic",
        "route": {
            "termination_number": "+441274792823"
        }
    }
}
"""
        ),
    ),
    (
        "national",
        json.loads(
            """
{
  "name": "ABC Company 127",
  "match_period": 30,
  "quantity": 3,
  "phone_number_request": {
    "number_type": "international",
    "match_type": "national",
    "iso_country": "GB"
  },
  "replacement_configuration": {
    "numbers_to_replace": [
      "01011231234",
      "4402078395555",
      "4409011231234"
    ],
    "tracking_sources": [
      {
        "referrer_domain": "Any",
        "url_triggers": [
          "gclid=*"
        ]
      }
    ]
  },
  "call_routes": {
    "route_type": "Basic",
    "route": {
      "termination_number": "+441274792823"
    }
  }
}
"""
        ),
        json.loads(
            """
{
    "id": 31852,
    "name": "ABC Company 127",
    "group_id": 12462615,
    "status": "active",
    "match_period": 30,
    "quantity": 3,
    "numbers": [
        {
            "id": 9570563,
            "phone_number": "+443308180609"
        },
        {
            "id": 9570564,
            "phone_number": "+443308180610"
        },
        {
            "id": 9570565,
            "phone_number": "+443308180611"
        }
    ],
    "replacement_configuration": {
        "numbers_to_replace": [
            "01011231234",
            "4402078395555",
            "4409011231234"
        ],
        "tracking_sources": [
            {
                "referrer_domain": "Any",
                "url_triggers": [
                    "gclid=*"
                ],
                "track_organic": false
            }
        ],
        "replace_all_numbers": false
    },
    "sms_routes": {
        "route_type": "None"
    },
    "call_routes": {
        "route_type": "Basic",
        "route": {
            "termination_number": "+441274792823"
        }
    }
}
"""
        ),
    ),
]
