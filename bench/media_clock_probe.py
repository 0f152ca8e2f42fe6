"""Probe: what held-call media costs with one clock for all calls (a reference for bench_sip_media).

Run: ``python -m bench.media_clock_probe CALLS SECONDS PTIME`` with a SIPp ``-rtp_echo`` UAS whose media
port is 30900. No SIP and no engine: each "call" is a UDP socket of its own that, on one shared timer,
sends a PCMU packet every packet time to SIPp, which echoes it; every tick then drains each socket without
blocking, looking for RFC 2833 events (payload type 101) as a gather would. This is the media work of a
held call without baresip's three threads per call, in plain Python, so the gap between it and
bench/sip_media_probe.py is the price of the per-call threads (docs/decisions/sip-engine.md, "Media CPU").
Prints one JSON line: ms of CPU per call-second and packets a second sent and received per call.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import sys
import time

FAR = ("127.0.0.1", 30900)
RTP_HEADER = struct.Struct("!BBHII")
DTMF_PAYLOAD = 101


class Stream:
    """One call's RTP: its socket and the next packet's sequence number and timestamp."""

    def __init__(self, index: int, samples: int):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.sock.connect(FAR)
        self.samples = samples
        self.seq, self.stamp, self.ssrc = index * 7919 & 0xFFFF, index * 104729, 0x5EED0000 + index
        self.sent = self.received = self.digits = 0

    def send(self, frame: bytes) -> None:
        try:
            self.sock.send(RTP_HEADER.pack(0x80, 0, self.seq, self.stamp, self.ssrc) + frame)
            self.sent += 1
        except BlockingIOError:  # the socket's buffer is full: this packet is late, not queued
            pass
        self.seq = (self.seq + 1) & 0xFFFF
        self.stamp = (self.stamp + self.samples) & 0xFFFFFFFF

    def drain(self) -> None:
        try:
            while True:
                packet = self.sock.recv(2048)
                self.received += 1
                if packet[1] & 0x7F == DTMF_PAYLOAD:
                    self.digits += 1
        except BlockingIOError:
            pass


async def main(calls: int, seconds: float, ptime: int) -> dict:
    samples = 8 * ptime
    tone = bytes((i * 37) & 0xFF for i in range(samples * 50))  # μ-law bytes; the content is not the point
    streams = [Stream(i, samples) for i in range(calls)]
    loop = asyncio.get_running_loop()
    due = loop.time()
    cpu, wall = time.process_time(), time.monotonic()
    end = wall + seconds
    tick = 0
    while time.monotonic() < end:
        offset = (tick % 50) * samples
        frame = tone[offset : offset + samples]
        for stream in streams:
            stream.send(frame)
        for stream in streams:
            stream.drain()
        tick += 1
        due += ptime / 1000
        await asyncio.sleep(max(0.0, due - loop.time()))
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    return {
        "total": round(1000 * cpu / wall / calls, 3),
        "tx_pkts_per_s": round(sum(s.sent for s in streams) / wall / calls, 1),
        "rx_pkts_per_s": round(sum(s.received for s in streams) / wall / calls, 1),
    }


if __name__ == "__main__":
    calls, seconds, ptime = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(asyncio.run(main(calls, seconds, ptime))))
