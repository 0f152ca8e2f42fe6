import pytest

from telephony.sip.media import MediaError
from telephony.sip.media.sdp import offer, parse_answer, payload_types

SIPP_UAS = (  # the 200 OK body of `sipp -sd uas`
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)
CARRIER = (  # telephony/sip/testing/carrier.xml
    "v=0\r\no=user1 53655765 2353687637 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=audio 7078 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
)


def _answer(media: str, session_c: str = "c=IN IP4 192.0.2.7\n") -> str:
    return f"v=0\no=- 1 1 IN IP4 192.0.2.7\ns=call\n{session_c}t=0 0\n{media}"


def test_the_offer_lists_our_codecs_and_telephone_events():
    body = offer(host="10.1.2.3", port=42000, payload_types=payload_types(("pcmu", "pcma")), ptime_ms=20, session_id=77)
    assert body.endswith("\r\n")
    assert body.split("\r\n")[:-1] == [
        "v=0",
        "o=- 77 77 IN IP4 10.1.2.3",
        "s=-",
        "c=IN IP4 10.1.2.3",
        "t=0 0",
        "m=audio 42000 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=ptime:20",
        "a=sendrecv",
    ]


def test_the_offer_follows_the_callers_order_and_ptime():
    body = offer(host="10.1.2.3", port=42002, payload_types=payload_types(("PCMA",)), ptime_ms=40, session_id=1)
    assert "m=audio 42002 RTP/AVP 8 101\r\n" in body and "a=ptime:40\r\n" in body and "PCMU" not in body


def test_an_unknown_codec_cannot_be_offered():
    with pytest.raises(MediaError, match="opus"):
        payload_types(("opus",))


def test_sipps_answer():
    answer = parse_answer(SIPP_UAS, (0, 8))
    assert (answer.address, answer.port, answer.codec, answer.payload_type) == ("127.0.0.1", 6000, "pcmu", 0)
    assert answer.event_payload_type is None


def test_the_carrier_answer_takes_its_first_codec_and_its_events():
    answer = parse_answer(CARRIER, (8, 0))
    assert (answer.address, answer.port, answer.payload_type, answer.event_payload_type) == ("10.0.0.2", 7078, 0, 101)


def test_an_answer_with_only_pcma():
    answer = parse_answer(_answer("m=audio 5004 RTP/AVP 8\na=rtpmap:8 PCMA/8000\n"), (0, 8))
    assert (answer.codec, answer.payload_type) == ("pcma", 8)


def test_static_types_need_no_rtpmap():
    assert parse_answer(_answer("m=audio 5004 RTP/AVP 8 0\n"), (0, 8)).payload_type == 8


def test_the_far_ends_own_telephone_event_type():
    media = "m=audio 5004 RTP/AVP 0 96\na=rtpmap:0 PCMU/8000\na=rtpmap:96 telephone-event/8000\na=fmtp:96 0-16\n"
    assert parse_answer(_answer(media), (0, 8)).event_payload_type == 96


def test_a_media_level_address_wins_and_a_session_level_one_serves_when_alone():
    media = "m=audio 5004 RTP/AVP 0\nc=IN IP4 198.51.100.9\n"
    assert parse_answer(_answer(media), (0,)).address == "198.51.100.9"
    assert parse_answer(_answer("m=audio 5004 RTP/AVP 0\n"), (0,)).address == "192.0.2.7"
    assert parse_answer(_answer(media, session_c=""), (0,)).address == "198.51.100.9"


def test_a_video_stream_before_the_audio_is_passed_over():
    media = "m=video 0 RTP/AVP 31\nc=IN IP4 203.0.113.1\nm=audio 5004 RTP/AVP 0\n"
    answer = parse_answer(_answer(media), (0,))
    assert (answer.address, answer.port) == ("192.0.2.7", 5004)


@pytest.mark.parametrize(
    ("media", "session_c", "message"),
    [
        ("m=audio 5004 RTP/AVP 18\na=rtpmap:18 G729/8000\n", "c=IN IP4 192.0.2.7\n", "no common codec"),
        ("m=audio 5004 RTP/AVP 8\n", "c=IN IP4 192.0.2.7\n", "no common codec"),  # we offered PCMU only
        ("m=audio 5004 RTP/AVP 0\na=rtpmap:0 opus/48000/2\n", "c=IN IP4 192.0.2.7\n", "no common codec"),
        ("m=audio 0 RTP/AVP 0\n", "c=IN IP4 192.0.2.7\n", "port 0"),
        ("m=video 5004 RTP/AVP 31\n", "c=IN IP4 192.0.2.7\n", "no m=audio"),
        ("", "c=IN IP4 192.0.2.7\n", "no m=audio"),
        ("m=audio 5004 RTP/AVP 0\n", "", "no c= line"),
        ("m=audio 5004 RTP/AVP 0\n", "c=IN IP6 ::1\n", "IPv4 only"),
        ("m=audio 5004 RTP/AVP 0\n", "c=IN IP4 media.example.net\n", "not an IPv4 address"),
        ("m=audio 5004 RTP/AVP 0\n", "c=IN IP4 0.0.0.0\n", "hold"),
        ("m=audio five RTP/AVP 0\n", "c=IN IP4 192.0.2.7\n", "unreadable m="),
        ("m=audio 70000 RTP/AVP 0\n", "c=IN IP4 192.0.2.7\n", "out of range"),
    ],
)
def test_unusable_answers_say_why(media, session_c, message):
    with pytest.raises(MediaError, match=message):
        parse_answer(_answer(media, session_c), (0,))
