"""The SIP call engine: real calls for the dialer (``DIALER_GATEWAY=sip``).

- ``config``: the ``SIP_*`` settings, checked once, one clear line per mistake;
- ``causes``: what a SIP call's end becomes in the cause table;
- ``scenario``: the app scenario run over one answered call (a clean function over the steps);
- ``tts``: text to speech behind a small interface (espeak-ng), cached by text and voice;
- ``engine``: the asyncio process (``manage.py call_engine``), one task per call.
"""
