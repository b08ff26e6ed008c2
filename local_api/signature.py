"""AWS Signature Version 4, checked: was a request signed with the key pair this server knows?

Recomputed with botocore's own signer over what arrived (the method, the path
and query exactly as sent, the headers the client says it signed, the body)
and compared with the client's, as an AWS service checks it. The answers for a
missing, foreign, stale or wrong signature are the ones AWS gives.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_api.proxy_event import HttpRequest

#: How far a request's ``X-Amz-Date`` may be from now, as AWS allows.
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<headers>[a-z0-9;-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)


@dataclass(frozen=True)
class SigningKey:
    """The access key id and secret a client must sign with."""

    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class SignatureProblem:
    """Why a request's signature is refused: AWS's error type and message."""

    error_type: str
    message: str


def signature_problem(
    request: HttpRequest, key: SigningKey, service: str, now: datetime | None = None
) -> SignatureProblem | None:
    """``None`` if ``request`` is signed for ``service`` with ``key``; otherwise what is wrong."""
    authorization = request.header("Authorization")
    if not authorization:
        return SignatureProblem(
            "MissingAuthenticationTokenException", "Missing Authentication Token"
        )
    signed = _AUTHORIZATION.fullmatch(authorization.strip())
    if signed is None:
        return SignatureProblem(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters of an AWS4-HMAC-SHA256 signature.",
        )
    if not hmac.compare_digest(signed["key"], key.access_key_id):
        return SignatureProblem(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    timestamp = request.header("X-Amz-Date") or ""
    try:
        sent = datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return SignatureProblem("IncompleteSignatureException", "X-Amz-Date is missing or invalid.")
    now = now or datetime.now(UTC)
    if abs(now - sent) > MAX_CLOCK_SKEW or not timestamp.startswith(signed["date"]):
        return SignatureProblem(
            "InvalidSignatureException",
            f"Signature expired: {timestamp} is now earlier or later than "
            f"{now:%Y%m%dT%H%M%SZ} ({MAX_CLOCK_SKEW} either way).",
        )
    if signed["service"] != service:
        return SignatureProblem(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{service}'.",
        )
    names = signed["headers"].split(";")
    if "host" not in names:
        return SignatureProblem("InvalidSignatureException", "'Host' must be a signed header.")
    claimed_hash = request.header("X-Amz-Content-SHA256")
    if claimed_hash is not None and claimed_hash != sha256(request.body).hexdigest():
        return SignatureProblem("InvalidSignatureException", _MISMATCH)
    expected = _signature(request, key, names, signed["region"], service, timestamp)
    if not hmac.compare_digest(expected, signed["signature"]):
        return SignatureProblem("InvalidSignatureException", _MISMATCH)
    return None


def _signature(
    request: HttpRequest,
    key: SigningKey,
    names: list[str],
    region: str,
    service: str,
    timestamp: str,
) -> str:
    """What botocore signs for the request as received, over the headers named."""
    headers = {}
    for name in names:
        value = request.header(name)
        if value is None:
            return ""
        headers[name] = value
    target = request.target or request.path
    signed = AWSRequest(
        method=request.method,
        url=f"http://{request.header('Host')}{target}",
        headers=headers,
        data=request.body,
    )
    signed.context["timestamp"] = timestamp
    signer = SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), service, region)
    canonical = signer.canonical_request(signed)
    if signer.signed_headers(signer.headers_to_sign(signed)) != ";".join(names):
        return ""
    return str(signer.signature(signer.string_to_sign(signed, canonical), signed))
