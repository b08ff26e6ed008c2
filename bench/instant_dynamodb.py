"""A DynamoDB endpoint that answers at once: every call gets the same GetItem answer.

Run as a child process (``python -m bench.instant_dynamodb PORT``), so timing a
read measures the client and the handler, not a database: what the handler
adds shows against a round trip of about a millisecond, as it would against
DynamoDB's own single-digit milliseconds.
"""

from __future__ import annotations

import json
import socket
import sys

ITEM = {"Item": {"Id": {"S": "1"}, "name": {"S": "Bob"}}}
_BODY = json.dumps(ITEM).encode()
_ANSWER = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
    b"x-amzn-RequestId: instant\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


def serve(port: int) -> None:
    """Answer every complete request (headers plus Content-Length bytes) with :data:`_ANSWER`.

    The loop polls without ever sleeping. An endpoint that sleeps between calls
    wakes more slowly the longer it slept, which would charge whichever
    contender does more work between its calls for the endpoint's wake-up, not
    for its own work.
    """
    listener = socket.create_server(("127.0.0.1", port))
    listener.setblocking(False)
    buffers: dict[socket.socket, bytes] = {}
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            pass
        else:
            connection.setblocking(False)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffers[connection] = b""
        for connection in list(buffers):
            try:
                data = connection.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                connection.close()
                del buffers[connection]
                continue
            buffers[connection] = _answer(connection, buffers[connection] + data)


def _answer(connection: socket.socket, buffer: bytes) -> bytes:
    """Answer the complete requests in ``buffer``; return what is left of it."""
    while (end := buffer.find(b"\r\n\r\n")) >= 0:
        length = 0
        for line in buffer[:end].split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if len(buffer) < end + 4 + length:
            break
        buffer = buffer[end + 4 + length :]
        connection.sendall(_ANSWER)
    return buffer


if __name__ == "__main__":
    serve(int(sys.argv[1]))
