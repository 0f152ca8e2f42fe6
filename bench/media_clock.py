"""CPU of held calls' media on telephony.sip.media: one MediaClock, N sessions, an echo peer.

Run: ``python -m bench.media_clock [CALLS [SECONDS]]`` (defaults 100 and 20). Every session plays a
prompt over and over (as a call's scenario would) to an echo peer in a second process, which sends each
packet back, so every tick also drains one packet per call. Only this process's CPU is counted
(``time.process_time``): the engine side. Ports: sessions from 43000 up, the echo peer on 44998.
Prints one JSON line: ``cpu_ms_per_call_second``, and ``cpu_ms_per_20s_call`` the same for a 20-second
held call (the media part of what ``make bench BENCH=sip`` measures for the whole engine).
"""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
import time

from telephony.sip.media import MediaClock, RtpSession

HOST = "127.0.0.1"
FIRST_PORT, ECHO_PORT = 43000, 44998
WARM_UP = 1.0  # seconds with every call up before measuring: the first prompt encoding is not media work

ECHO = """
import select, socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
sock.bind((sys.argv[1], int(sys.argv[2])))
sock.setblocking(False)
print("ready", flush=True)
echoed = 0
while True:
    ready, _, _ = select.select([sock, sys.stdin], [], [])
    if sys.stdin in ready:
        break
    try:
        while True:
            packet, source = sock.recvfrom(2048)
            sock.sendto(packet, source)
            echoed += 1
    except BlockingIOError:
        pass
print(echoed, flush=True)
"""


def _answer(port: int) -> str:
    return (
        f"v=0\r\no=- 1 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    )


async def _measure(calls: int, seconds: float) -> dict:
    prompt = struct.pack("<40000h", *(((i * 331) % 16000) - 8000 for i in range(40000)))  # 5 s
    clock = MediaClock(host=HOST, ports=(FIRST_PORT, FIRST_PORT + 2 * calls - 1))
    sessions = [clock.session() for _ in range(calls)]
    for session in sessions:
        session.offer(("pcmu", "pcma"))
        session.accept(_answer(ECHO_PORT))

    async def speak(session: RtpSession) -> None:
        while True:
            await session.play(prompt)

    await clock.start()
    speakers = [asyncio.create_task(speak(session)) for session in sessions]
    await asyncio.sleep(WARM_UP)
    late = clock.late_ticks
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    late = clock.late_ticks - late
    for task in speakers:
        task.cancel()
    await asyncio.gather(*speakers, return_exceptions=True)
    await clock.close()
    per_call_second = 1000 * cpu / wall / calls
    return {
        "calls": calls,
        "seconds": round(wall, 2),
        "cpu_ms_per_call_second": round(per_call_second, 3),
        "cpu_ms_per_20s_call": round(20 * per_call_second, 2),
        "cpu_share_of_one_core": round(cpu / wall, 3),
        "late_resyncs": late,
    }


def run(calls: int, seconds: float) -> dict:
    """Hold CALLS sessions for SECONDS against an echo peer; the clock process's CPU per call-second."""
    echo = subprocess.Popen(
        [sys.executable, "-c", ECHO, HOST, str(ECHO_PORT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert echo.stdout is not None and echo.stdin is not None
        if echo.stdout.readline().strip() != "ready":
            raise RuntimeError("the echo peer did not start")
        started = time.monotonic()
        result = asyncio.run(_measure(calls, seconds))
        elapsed = time.monotonic() - started
        echo.stdin.close()
        echoed = int(echo.stdout.readline() or 0)
        result["echoed_pkts_per_call_second"] = round(echoed / elapsed / calls, 1)
        return result
    finally:
        if echo.poll() is None:
            echo.terminate()
        echo.wait(timeout=10)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    print(json.dumps(run(int(arguments[0]) if arguments else 100, float(arguments[1]) if len(arguments) > 1 else 20)))
