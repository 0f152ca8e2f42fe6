"""Message parsing and building, stream framing and digest answers, without a network."""

import pytest

from telephony.sip.stack import auth
from telephony.sip.stack.message import (
    ParseError,
    StreamFramer,
    build,
    param,
    parse,
    response_to,
    split_header_list,
    uri_of,
)

INVITE = (
    b"INVITE sip:15551234567@trunk.example:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport\r\n"
    b"v: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKold\r\n"
    b"Max-Forwards: 70\r\n"
    b'f: "Dialer" <sip:100@trunk.example>;tag=ft1\r\n'
    b"To: <sip:15551234567@trunk.example>\r\n"
    b"i: call-1@dialtone\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Subject: a folded\r\n  header\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 5\r\n"
    b"\r\n"
    b"v=0\r\nEXTRA"
)


def test_parse_request_with_compact_and_folded_headers():
    msg = parse(INVITE)
    assert msg.is_request
    assert msg.method == "INVITE"
    assert msg.uri == "sip:15551234567@trunk.example:5060"
    assert msg.call_id == "call-1@dialtone"
    assert msg.cseq == (7, "INVITE")
    assert msg.top_branch == "z9hG4bKabc"
    assert len(msg.all("via")) == 2
    assert msg.get("subject") == "a folded header"
    assert param(msg.get("from"), "tag") == "ft1"
    assert uri_of(msg.get("from")) == "sip:100@trunk.example"
    assert msg.body == b"v=0\r\n"  # Content-Length cuts the trailing bytes


def test_build_then_parse_round_trip():
    data = build(
        "SIP/2.0 200 OK",
        [*response_to(parse(INVITE), 200, "OK", "tt9"), ("Contact", "<sip:far@10.0.0.2>")],
        b"v=0\r\n",
    )
    msg = parse(data)
    assert not msg.is_request
    assert (msg.status, msg.reason) == (200, "OK")
    assert param(msg.get("to"), "tag") == "tt9"
    assert msg.all("via") == [
        "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport",
        "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKold",
    ]
    assert msg.get("content-length") == "5"
    assert msg.body == b"v=0\r\n"


def test_garbage_is_a_parse_error():
    for data in (b"", b"\r\n\r\n", b"hello", b"SIP/2.0 abc OK\r\n\r\n", b"INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n"):
        try:
            parse(data)
        except ParseError:
            continue
        raise AssertionError(f"{data!r} parsed")


def test_stream_framer_joined_and_split_messages():
    bye = build(
        "BYE sip:a@b SIP/2.0",
        [("Via", "SIP/2.0/TCP h;branch=z9hG4bK1"), ("From", "a"), ("To", "b"), ("Call-ID", "c"), ("CSeq", "2 BYE")],
    )
    stream = b"\r\n\r\n" + INVITE[: INVITE.index(b"EXTRA")] + bye + b"\r\n"
    framer = StreamFramer()
    assert framer.feed(stream) == [INVITE[: INVITE.index(b"EXTRA")], bye]
    # The same bytes a few at a time come out whole and in order.
    framer = StreamFramer()
    frames = []
    for i in range(0, len(stream), 7):
        frames += framer.feed(stream[i : i + 7])
    assert frames == [INVITE[: INVITE.index(b"EXTRA")], bye]
    assert [parse(frame).method for frame in frames] == ["INVITE", "BYE"]


def test_split_header_list_keeps_commas_inside_brackets():
    value = '<sip:p1.example;lr>, "A, B" <sip:p2.example;lr>,<sip:p3>'
    assert split_header_list(value) == ["<sip:p1.example;lr>", '"A, B" <sip:p2.example;lr>', "<sip:p3>"]


def test_digest_rfc2617_vector():
    # RFC 2617 3.5: Mufasa / "Circle Of Life", qop=auth.
    assert (
        auth.digest_response(
            username="Mufasa",
            password="Circle Of Life",
            realm="testrealm@host.com",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
            method="GET",
            uri="/dir/index.html",
            qop="auth",
            nc="00000001",
            cnonce="0a4f113b",
        )
        == "6629fae49393a05397450978507c4ef1"
    )


def test_digest_without_qop_and_challenge_parsing():
    challenge = auth.parse_challenge('Digest realm="a, b", nonce="n1", opaque="o1", algorithm=MD5')
    assert challenge == {"realm": "a, b", "nonce": "n1", "opaque": "o1", "algorithm": "MD5"}
    assert auth.supported(challenge)
    header = auth.authorization(challenge, username="u", password="p", method="INVITE", uri="sip:x@y")
    expected = auth.digest_response(
        username="u", password="p", realm="a, b", nonce="n1", method="INVITE", uri="sip:x@y"
    )
    assert f'response="{expected}"' in header
    assert "qop" not in header and 'opaque="o1"' in header
    with_qop = auth.parse_challenge('Digest realm="r", nonce="n", qop="auth,auth-int"')
    header = auth.authorization(with_qop, username="u", password="p", method="BYE", uri="sip:x@y")
    assert "qop=auth" in header and "nc=00000001" in header and "cnonce=" in header
    assert not auth.supported(auth.parse_challenge('Digest realm="r", nonce="n", algorithm=SHA-256'))


def test_call_failed_names_the_status_only_when_there_is_one():
    from telephony.sip.stack import CallFailed

    busy = CallFailed(486, "Busy Here")
    assert (busy.status, busy.reason, str(busy)) == (486, "Busy Here", "486 Busy Here")
    refused = CallFailed(None, "connection refused")
    assert (refused.status, str(refused)) == (None, "connection refused")


RESPONSE_HEAD = (
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bKx\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
)


def test_content_length_must_be_a_plain_number_that_the_body_fills():
    assert parse(RESPONSE_HEAD + b"Content-Length: 3\r\n\r\nabcdef").body == b"abc"
    for length, body in (
        (b"-3", b"v=0\r\nabc"),
        (b"+3", b"abc"),
        (b"3x", b"abc"),
        (b"9" * 20, b"abc"),
        (b"10", b"short"),
    ):
        with pytest.raises(ParseError):
            parse(RESPONSE_HEAD + b"Content-Length: " + length + b"\r\n\r\n" + body)


def test_stream_framer_refuses_a_content_length_over_its_cap():
    framer = StreamFramer()
    with pytest.raises(ParseError):
        framer.feed(RESPONSE_HEAD + b"Content-Length: 99999999999\r\n\r\n" + b"x" * 65536)
    assert not framer._buf
    with pytest.raises(ParseError):
        StreamFramer().feed(RESPONSE_HEAD + b"l: -5\r\n\r\n")
    whole = RESPONSE_HEAD + b"Content-Length: %d\r\n\r\n" % StreamFramer.MAX_BUFFER
    body = b"x" * StreamFramer.MAX_BUFFER
    assert StreamFramer().feed(whole + body) == [whole + body]  # the cap itself is allowed
