"""The user agent client: outbound calls to one trunk, their dialogs and in-dialog requests."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Coroutine
from typing import Any

from . import auth, transaction
from .message import ParseError, SipMessage, build, new_branch, new_token, parse, response_to, uri_of
from .message import split_header_list as split_list
from .transaction import TIMER_B, ClientTransaction
from .transport import Reply, StreamTransport, Transport, UdpTransport

log = logging.getLogger(__name__)

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY, REFER"
USER_AGENT = "Dialtone"
HANGUP_WAIT = 4.0  # how long hangup() waits for the far end's answer to its BYE or CANCEL
REFER_NOTIFY_WAIT = 64.0  # how long refer() waits for the final NOTIFY after the REFER was accepted
CALL_LINGER = TIMER_B  # a finished call still answers retransmitted BYEs this long


class CallFailed(Exception):
    def __init__(self, status: int | None, reason: str):
        super().__init__(f"{status} {reason}" if status is not None else reason)
        self.status = status
        self.reason = reason


class RingTimeout(Exception):
    """No final answer in time; a CANCEL was sent."""


class TrunkNotFound(OSError):
    """The trunk's host name does not resolve (raised by UserAgent.start)."""


class UserAgent:
    def __init__(
        self,
        *,
        listen_host: str,
        listen_port: int,
        trunk_host: str,
        trunk_port: int,
        transport: str,
        username: str = "",
        password: str = "",
        tls_verify: bool = True,
    ):
        transport = transport.lower()
        if transport not in ("udp", "tcp", "tls"):
            raise ValueError(f"unknown SIP transport {transport!r}")
        self.listen_host = listen_host
        self.listen_port = listen_port
        self.trunk_host = trunk_host
        self.trunk_port = trunk_port
        self.transport_name = transport
        self.username = username
        self.password = password
        self.tls_verify = tls_verify
        self.calls: dict[str, Call] = {}
        self.transactions: dict[tuple[str, str], ClientTransaction] = {}
        self._transport: Transport | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # What Via and Contact name: the listen address, or the route's source when bound to a wildcard.
        self.advertised_host = listen_host
        self._advertised = f"{listen_host}:{listen_port}"
        self._uri_param = "" if transport == "udp" else f";transport={transport}"

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            raise RuntimeError("UserAgent.start() has not been awaited")
        return self._transport

    async def start(self) -> None:
        """Resolves the trunk once and binds UDP (or listens for TCP and opens the trunk connection)."""
        loop = asyncio.get_running_loop()
        kind = socket.SOCK_DGRAM if self.transport_name == "udp" else socket.SOCK_STREAM
        try:
            infos = await loop.getaddrinfo(self.trunk_host, self.trunk_port, type=kind)
        except OSError as exc:
            raise TrunkNotFound(f"cannot resolve {self.trunk_host}: {exc}") from exc
        infos.sort(key=lambda info: info[0] != socket.AF_INET)
        trunk = (str(infos[0][4][0]), int(infos[0][4][1]))
        listen = (self.listen_host, self.listen_port)
        if self.transport_name == "udp":
            self._transport = UdpTransport(listen, trunk, self._on_message, self._on_transport_error)
        else:
            self._transport = StreamTransport(
                listen,
                trunk,
                self._on_message,
                self._on_transport_error,
                tls=self.transport_name == "tls",
                server_hostname=self.trunk_host,
                tls_verify=self.tls_verify,
            )
        await self._transport.start()
        host = self.listen_host
        if host in ("", "0.0.0.0", "::"):
            host = _source_address(trunk)
        self.advertised_host = host
        self._advertised = f"[{host}]:{self.listen_port}" if ":" in host else f"{host}:{self.listen_port}"

    async def close(self) -> None:
        """Closes the sockets; calls still up are marked closed without a BYE."""
        for call in list(self.calls.values()):
            call._finish(CallFailed(None, "user agent closed"))
            call._set_closed()
        for tx in list(self.transactions.values()):
            tx.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._transport is not None:
            self._transport.close()
        self.calls.clear()

    def call(self, *, to_user: str, from_user: str, headers: dict[str, str], sdp: str) -> Call:
        """Sends the INVITE now; `headers` go out verbatim, `sdp` is the offer (and the answer to re-INVITEs)."""
        call = Call(self, to_user=to_user, from_user=from_user, headers=headers, sdp=sdp)
        self.calls[call.call_id] = call
        call._send_invite(None)
        return call

    # Internals shared with Call.

    def via(self, branch: str) -> str:
        return f"SIP/2.0/{self.transport.via_name} {self._advertised};branch={branch};rport"

    def contact(self, user: str) -> str:
        return f"<sip:{user}@{self._advertised}{self._uri_param}>"

    def trunk_uri(self, user: str) -> str:
        return f"sip:{user}@{self.trunk_host}:{self.trunk_port}{self._uri_param}"

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_message(self, data: bytes, reply: Reply) -> None:
        try:
            msg = parse(data)
        except (ParseError, ValueError) as exc:
            log.debug("dropping an unreadable SIP message: %s", exc)
            return
        try:
            if msg.is_request:
                self._on_request(msg, reply)
            else:
                tx = self.transactions.get((msg.top_branch, msg.cseq[1]))
                if tx is not None:
                    tx.receive(msg)
                else:
                    log.debug("no transaction for %s %s", msg.status, msg.get("cseq"))
        except Exception:
            log.debug("error handling a SIP message", exc_info=True)

    def _on_request(self, msg: SipMessage, reply: Reply) -> None:
        call = self.calls.get(msg.call_id)
        if call is not None:
            call._on_request(msg, reply)
        elif msg.method == "ACK":
            return
        elif msg.method == "OPTIONS":
            # Trunks ping with out-of-dialog OPTIONS to see that we are alive.
            reply(build("SIP/2.0 200 OK", [*response_to(msg, 200, "OK", new_token()), ("Allow", ALLOW)]))
        elif msg.method == "INVITE":  # we never take calls
            headers = [*response_to(msg, 405, "Method Not Allowed", new_token()), ("Allow", ALLOW)]
            reply(build("SIP/2.0 405 Method Not Allowed", headers))
        else:
            headers = response_to(msg, 481, "Call Does Not Exist", new_token())
            reply(build("SIP/2.0 481 Call Does Not Exist", headers))

    def _on_transport_error(self, reason: str) -> None:
        log.debug("SIP transport error: %s", reason)
        for tx in list(self.transactions.values()):
            tx.transport_failed(reason)


class Call:
    def __init__(self, ua: UserAgent, *, to_user: str, from_user: str, headers: dict[str, str], sdp: str):
        self.closed = asyncio.Event()
        self._ua = ua
        self._loop = asyncio.get_running_loop()
        self.call_id = f"{new_token()}@dialtone"
        self._local_tag = new_token()
        self._cseq = 1
        self._request_uri = ua.trunk_uri(to_user)
        self._from = f"<sip:{from_user}@{ua.trunk_host}>;tag={self._local_tag}"
        self._to = f"<sip:{to_user}@{ua.trunk_host}>"
        self._contact = ua.contact(from_user)
        self._extra = list(headers.items())
        self._sdp = sdp.encode()
        self._final: asyncio.Future[SipMessage | CallFailed] = self._loop.create_future()
        self._invite_tx: ClientTransaction | None = None
        self._invite_cseq = 1
        self._invite_auth_tried = False
        self._invite_auth: tuple[str, str] | None = None  # the 2xx ACK carries the INVITE's credentials
        self._cancel_unanswered = False  # our CANCEL got no final response to the INVITE in 64*T1
        self._provisional = False
        self._cancel_wanted = False
        self._cancel_sent = False
        self._confirmed = False
        self._bye_sent = False
        self._remote_to = self._to
        self._remote_target = self._request_uri
        self._route: list[str] = []
        self._refer_result: asyncio.Future[tuple[int, str]] | None = None

    # Public interface.

    async def answer(self, timeout: float) -> str:
        """The 2xx's SDP (ACK sent), or CallFailed, or RingTimeout after a CANCEL when `timeout` runs out.

        A CANCEL only follows a provisional response, so without one we wait for it or for timer B
        (then CallFailed(408)).
        """
        final = self._final
        if not final.done():
            await asyncio.wait({final}, timeout=timeout)
        if not final.done():
            self._request_cancel()
            await asyncio.wait({final}, timeout=transaction.TIMER_B + HANGUP_WAIT)
            if not final.done():
                self._finish(CallFailed(408, "Request Timeout"))
                self._set_closed()
                raise RingTimeout()
        result = final.result()
        if isinstance(result, CallFailed):
            if self._cancel_wanted and (result.status == 487 or self._cancel_unanswered):
                raise RingTimeout()  # the answer to our CANCEL, or none at all
            raise CallFailed(result.status, result.reason)
        if self._cancel_wanted:
            raise RingTimeout()  # a 2xx that crossed our CANCEL: ACKed, and a BYE is on its way
        return result.body.decode("utf-8", "replace")

    async def hangup(self) -> None:
        """BYE when answered, CANCEL when ringing; waits a few seconds at most, never raises, sets `closed`."""
        try:
            if self.closed.is_set():
                return
            if self._confirmed:
                await asyncio.wait_for(self._send_bye(), HANGUP_WAIT)
            elif not self._final.done():
                self._request_cancel()
                await asyncio.wait({self._final}, timeout=HANGUP_WAIT)
        except Exception:
            log.debug("hangup of %s", self.call_id, exc_info=True)
        finally:
            self._set_closed()

    async def refer(self, to_user: str) -> tuple[int, str]:
        """Blind transfer: the final sipfrag status of the NOTIFYs (BYE after a 2xx), or a non-2xx to the REFER.

        (481, ...) when the call is not up or ends first; (408, ...) when no final NOTIFY comes.
        """
        if not self._confirmed or self.closed.is_set():
            return 481, "Call/Transaction Does Not Exist"
        ua = self._ua
        result = self._refer_result = self._loop.create_future()
        refer_to = f"<sip:{to_user}@{ua.trunk_host}:{ua.trunk_port}>"
        status, reason = await self._request("REFER", [("Refer-To", refer_to)])
        if not 200 <= status < 300:
            self._refer_result = None
            return status, reason
        await asyncio.wait({result}, timeout=REFER_NOTIFY_WAIT)
        self._refer_result = None
        if not result.done():
            return 408, "No final NOTIFY for the REFER"
        status, reason = result.result()
        if 200 <= status < 300:
            await self.hangup()
        return status, reason

    # The INVITE transaction.

    def _send_invite(self, authorization: tuple[str, str] | None) -> None:
        ua = self._ua
        branch = new_branch()
        self._invite_cseq = self._cseq
        self._invite_auth = authorization
        headers = [*self._invite_like(branch, self._to, "INVITE"), ("Contact", self._contact)]
        if authorization:
            headers.append(authorization)
        headers += self._extra
        headers += [("Allow", ALLOW), ("User-Agent", USER_AGENT), ("Content-Type", "application/sdp")]
        data = build(f"INVITE {self._request_uri} SIP/2.0", headers, self._sdp)
        self._provisional = False
        self._cancel_sent = False
        tx = ClientTransaction(
            ua.transactions, ua.transport, branch, "INVITE", data, self._on_invite_response, self._on_invite_failure
        )
        self._invite_tx = tx
        tx.start()

    def _on_invite_response(self, msg: SipMessage) -> None:
        tx = self._invite_tx
        if tx is None or tx.key != (msg.top_branch, "INVITE"):
            return
        status = msg.status
        if status < 200:
            self._provisional = True
            if self._cancel_wanted and not self._cancel_sent:
                self._send_cancel()
            return
        if status < 300:
            self._remote_to = msg.get("to")
            try:
                self._take_dialog(msg)
            except Exception:
                # A garbled Contact or Record-Route must not leave a 2xx unACKed: send to the request URI.
                log.debug("unreadable dialog headers in the 2xx to %s", self.call_id, exc_info=True)
                self._remote_target, self._route = self._request_uri, []
            self._confirmed = True
            credentials = [self._invite_auth] if self._invite_auth else None
            tx.ack = self._dialog_request("ACK", self._invite_cseq, new_branch(), credentials)
            self._ua.transport.send(tx.ack)
            self._finish(msg)
            if self._cancel_wanted or self.closed.is_set():
                self._ua.spawn(self._send_bye())
            return
        tx.ack = self._non2xx_ack(tx, msg)
        self._ua.transport.send(tx.ack)
        giving_up = self._cancel_wanted or self.closed.is_set()
        if status in (401, 407) and not self._invite_auth_tried and not self._final.done() and not giving_up:
            authorization = self._authorization(msg, "INVITE", self._request_uri)
            if authorization is not None:
                self._invite_auth_tried = True
                self._cseq += 1
                self._send_invite(authorization)
                return
        self._finish(CallFailed(status, msg.reason))
        self._set_closed()

    def _take_dialog(self, msg: SipMessage) -> None:
        contacts = split_list(msg.get("contact"))
        target = uri_of(contacts[0]) if contacts else ""
        if target:
            self._remote_target = target
        routes: list[str] = []
        for value in msg.all("record-route"):
            routes.extend(split_list(value))
        self._route = routes[::-1]

    def _on_invite_failure(self, status: int | None, reason: str) -> None:
        if self._cancel_sent:
            self._cancel_unanswered = True
        self._finish(CallFailed(status, reason))
        if self._confirmed:  # a 2xx made the dialog, so it ends with a BYE
            self._ua.spawn(self._send_bye())
        else:
            self._set_closed()

    def _non2xx_ack(self, tx: ClientTransaction, msg: SipMessage) -> bytes:
        # RFC 3261 17.1.1.3: same branch and Request-URI as the INVITE, To from the response.
        return build(f"ACK {self._request_uri} SIP/2.0", self._invite_like(tx.key[0], msg.get("to"), "ACK"))

    def _invite_like(self, branch: str, to: str, method: str) -> list[tuple[str, str]]:
        """The headers the INVITE, its CANCEL and the ACK of a non-2xx share (RFC 3261 9.1, 17.1.1.3)."""
        return [
            ("Via", self._ua.via(branch)),
            ("Max-Forwards", "70"),
            ("From", self._from),
            ("To", to),
            ("Call-ID", self.call_id),
            ("CSeq", f"{self._invite_cseq} {method}"),
        ]

    def _request_cancel(self) -> None:
        self._cancel_wanted = True
        # A CANCEL may only follow a provisional response (9.1); otherwise it goes when one arrives.
        if self._provisional and not self._cancel_sent and not self._final.done():
            self._send_cancel()

    def _send_cancel(self) -> None:
        tx = self._invite_tx
        if tx is None:
            return
        self._cancel_sent = True
        ua = self._ua
        branch = tx.key[0]
        headers = [*self._invite_like(branch, self._to, "CANCEL"), ("User-Agent", USER_AGENT)]
        data = build(f"CANCEL {self._request_uri} SIP/2.0", headers)
        ClientTransaction(ua.transactions, ua.transport, branch, "CANCEL", data, _ignore, _ignore_failure).start()
        tx.cancelled()

    def _finish(self, result: SipMessage | CallFailed) -> None:
        if not self._final.done():
            self._final.set_result(result)

    def _set_closed(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self._refer_result is not None and not self._refer_result.done():
            self._refer_result.set_result((481, "Call ended before the transfer result"))
        calls = self._ua.calls
        self._loop.call_later(CALL_LINGER, _forget, calls, self.call_id, self)

    # In-dialog requests.

    def _dialog_request(
        self, method: str, cseq: int, branch: str, extra: list[tuple[str, str]] | None = None, body: bytes = b""
    ) -> bytes:
        uri = self._remote_target
        routes = self._route
        if routes and ";lr" not in uri_of(routes[0]).lower():
            # A strict router takes the Request-URI; the remote target goes last in the route (12.2.1.1).
            uri = uri_of(routes[0])
            routes = [*routes[1:], f"<{self._remote_target}>"]
        headers = [("Via", self._ua.via(branch)), ("Max-Forwards", "70")]
        headers += [("Route", route) for route in routes]
        headers += [
            ("From", self._from),
            ("To", self._remote_to),
            ("Call-ID", self.call_id),
            ("CSeq", f"{cseq} {method}"),
        ]
        if method != "ACK":
            headers += [("Contact", self._contact), ("User-Agent", USER_AGENT)]
        if extra:
            headers += extra
        return build(f"{method} {uri} SIP/2.0", headers, body)

    def _request_uri_in_dialog(self) -> str:
        if self._route and ";lr" not in uri_of(self._route[0]).lower():
            return uri_of(self._route[0])
        return self._remote_target

    async def _request(self, method: str, extra: list[tuple[str, str]]) -> tuple[int, str]:
        """One in-dialog non-INVITE request, answered once more with credentials after a 401/407."""
        ua = self._ua
        authorization: tuple[str, str] | None = None
        for _attempt in range(2):
            done: asyncio.Future[tuple[int, SipMessage | None, str]] = self._loop.create_future()

            def on_response(msg: SipMessage, done: asyncio.Future[tuple[int, SipMessage | None, str]] = done) -> None:
                if msg.status >= 200 and not done.done():
                    done.set_result((msg.status, msg, msg.reason))

            def on_failure(status: int | None, reason: str, done: asyncio.Future[Any] = done) -> None:
                if not done.done():
                    done.set_result((status or 503, None, reason))

            self._cseq += 1
            branch = new_branch()
            headers = [*extra, authorization] if authorization else extra
            data = self._dialog_request(method, self._cseq, branch, headers)
            ClientTransaction(ua.transactions, ua.transport, branch, method, data, on_response, on_failure).start()
            status, msg, reason = await done
            if status in (401, 407) and msg is not None and authorization is None:
                authorization = self._authorization(msg, method, self._request_uri_in_dialog())
                if authorization is not None:
                    continue
            return status, reason
        return status, reason

    async def _send_bye(self) -> None:
        if self._bye_sent:
            return
        self._bye_sent = True
        try:
            await self._request("BYE", [])
        finally:
            self._set_closed()

    def _authorization(self, msg: SipMessage, method: str, uri: str) -> tuple[str, str] | None:
        ua = self._ua
        if not ua.username:
            return None
        if msg.status == 401:
            challenges, name = msg.all("www-authenticate"), "Authorization"
        else:
            challenges, name = msg.all("proxy-authenticate"), "Proxy-Authorization"
        for value in challenges:
            challenge = auth.parse_challenge(value)
            if auth.supported(challenge):
                return name, auth.authorization(
                    challenge, username=ua.username, password=ua.password, method=method, uri=uri
                )
        return None

    # Requests from the far end.

    def _on_request(self, msg: SipMessage, reply: Reply) -> None:
        method = msg.method
        if method == "ACK":
            return
        extra: list[tuple[str, str]] = []
        body = b""
        status, reason = 200, "OK"
        if method == "BYE":
            self._set_closed()
        elif method == "NOTIFY":
            self._on_notify(msg)
        elif method == "INVITE" or (method == "UPDATE" and msg.body.strip()):
            # A re-INVITE (session refresh or hold), or an UPDATE with an offer, gets our original SDP again.
            extra = [("Contact", self._contact), ("Allow", ALLOW), ("Content-Type", "application/sdp")]
            body = self._sdp
        elif method == "CANCEL":
            # We are the caller: the far end has no pending request of ours to cancel.
            status, reason = 481, "Call/Transaction Does Not Exist"
        elif method not in ("OPTIONS", "INFO", "UPDATE"):
            status, reason = 405, "Method Not Allowed"
            extra = [("Allow", ALLOW)]
        headers = response_to(msg, status, reason, self._local_tag) + extra
        reply(build(f"SIP/2.0 {status} {reason}", headers, body))

    def _on_notify(self, msg: SipMessage) -> None:
        result = self._refer_result
        if result is None or result.done():
            return
        frag = msg.body.decode("utf-8", "replace").strip().split("\r\n", 1)[0].split("\n", 1)[0]
        parts = frag.split(" ", 2)
        status = 0
        if len(parts) >= 2 and parts[0].upper().startswith("SIP/"):
            try:
                status = int(parts[1])
            except ValueError:
                status = 0
        reason = parts[2].strip() if len(parts) > 2 else ""
        terminated = msg.get("subscription-state").lower().startswith("terminated")
        if status >= 200:
            result.set_result((status, reason))
        elif terminated:
            result.set_result((status or 503, reason or "Subscription terminated without a final status"))


def _ignore(msg: SipMessage) -> None:
    return None


def _ignore_failure(status: int | None, reason: str) -> None:
    return None


def _forget(calls: dict[str, Call], call_id: str, call: Call) -> None:
    if calls.get(call_id) is call:
        del calls[call_id]


def _source_address(trunk: tuple[str, int]) -> str:
    """The local address the kernel would use towards the trunk (for Via/Contact when bound to a wildcard)."""
    family = socket.AF_INET6 if ":" in trunk[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect(trunk)
        return str(probe.getsockname()[0])


__all__ = ["Call", "CallFailed", "RingTimeout", "UserAgent"]
