"""HTTP digest authentication for SIP (RFC 2617 as used by RFC 3261 22), MD5 only."""

from __future__ import annotations

import hashlib
import os


def parse_challenge(value: str) -> dict[str, str]:
    """The parameters of a `Digest k=v, k="v"` challenge, keys lower-cased."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return {}
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,\t":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        while i < n and rest[i] == " ":
            i += 1
        if i < n and rest[i] == '"':
            end = rest.find('"', i + 1)
            while end > 0 and rest[end - 1] == "\\":
                end = rest.find('"', end + 1)
            if end < 0:
                end = n
            params[key] = rest[i + 1 : end]
            i = end + 1
        else:
            end = rest.find(",", i)
            if end < 0:
                end = n
            params[key] = rest[i:end].strip()
            i = end
    return params


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_response(
    *,
    username: str,
    password: str,
    realm: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str = "",
    nc: str = "",
    cnonce: str = "",
) -> str:
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    if qop:
        return _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _md5(f"{ha1}:{nonce}:{ha2}")


def authorization(challenge: dict[str, str], *, username: str, password: str, method: str, uri: str) -> str:
    """The Authorization / Proxy-Authorization value answering one challenge (nc stays 1: one answer a nonce)."""
    realm = challenge.get("realm", "")
    nonce = challenge.get("nonce", "")
    offered = [q.strip().lower() for q in challenge.get("qop", "").split(",") if q.strip()]
    qop = "auth" if "auth" in offered else ""
    nc = "00000001"
    cnonce = os.urandom(8).hex() if qop else ""
    response = digest_response(
        username=username,
        password=password,
        realm=realm,
        nonce=nonce,
        method=method,
        uri=uri,
        qop=qop,
        nc=nc,
        cnonce=cnonce,
    )
    parts = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f'response="{response}"',
        "algorithm=MD5",
    ]
    if qop:
        parts += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
    if "opaque" in challenge:
        parts.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(parts)


def supported(challenge: dict[str, str]) -> bool:
    algorithm = challenge.get("algorithm", "MD5").upper()
    if algorithm != "MD5" or "nonce" not in challenge:
        return False
    offered = [q.strip().lower() for q in challenge.get("qop", "").split(",") if q.strip()]
    return not offered or "auth" in offered
