"""A DynamoDB endpoint that answers at once: every call gets the same GetItem answer.

Run as a child process (``python -m bench.instant_dynamodb PORT``), so timing a
read measures the client and the handler, not a database: what the handler
adds shows against a round trip of about a millisecond, as it would against
DynamoDB's own single-digit milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sys

ITEM = {"Item": {"Id": {"S": "1"}, "name": {"S": "Bob"}}}
_BODY = json.dumps(ITEM).encode()
_ANSWER = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
    b"x-amzn-RequestId: instant\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


class _Connection(asyncio.Protocol):
    """Answers each complete request (headers plus Content-Length bytes) with :data:`_ANSWER`."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(_ANSWER)  # type: ignore[attr-defined]


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
