"""A TCP forwarder to put in front of a real server, to take that server away mid-test (as a crash or restart does).

``TcpProxy(port).start()`` listens on a free local port and copies bytes both ways to ``127.0.0.1:port``;
``stop()`` closes the listener and every open connection, so the client sees the server gone (connection refused
on new connections, reset on open ones) while the server itself keeps serving the other tests.
"""

from __future__ import annotations

import socket
import threading


class TcpProxy:
    """A local TCP forwarder to ``127.0.0.1:target_port`` that can be switched off."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.stopped = False

    def start(self) -> TcpProxy:
        """Start accepting connections (in a daemon thread); returns self."""
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener was closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.stopped:
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        """Close the listener and every forwarded connection: the server is gone for the client."""
        with self.lock:
            self.stopped = True
            sockets, self.sockets = self.sockets, []
        self.listener.close()
        for s in sockets:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
                s.close()
            except OSError:
                pass
