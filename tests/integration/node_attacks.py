"""Node-port attacks shared by test_node_authorization.py and bench/node_stranger.py: the BASP
header a stranger sends, and an agent's resident memory."""
import socket
import ssl
import struct
import time

# CAF 0.17's BASP header: operation, 2 padding bytes, flags, payload length, operation data
# (the BASP version in a handshake), source and destination actor; network byte order.
CLIENT_HANDSHAKE = 0x01
BASP_VERSION = 3
HUGE = 0xA0000000   # 2.5 GiB: what a node that trusts the length allocates


def basp_header(operation, payload_len, operation_data=0, source=0, dest=0):
    return struct.pack(">BBBBIQQQ", operation, 0, 0, 0, payload_len, operation_data, source, dest)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def wait_closed(sock, timeout, pid=None):
    """Reads until the peer closes the connection or `timeout` passes; returns (closed, the
    highest RSS of `pid` seen meanwhile in KiB, or 0)."""
    sock.settimeout(0.05)
    deadline = time.monotonic() + timeout
    peak = 0
    while time.monotonic() < deadline:
        if pid is not None:
            peak = max(peak, rss_kib(pid))
        try:
            if not sock.recv(65536):
                return True, peak
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            return True, peak
    return False, peak


def send_huge_header(host, port, tls=None, wait=5.0, pid=None):
    """Connects (plain TCP, or TLS with `tls` = (ca, cert, key)), sends one client-handshake
    header announcing HUGE payload bytes and waits up to `wait` seconds for the node to close
    the connection, sampling the RSS of `pid`. Returns (closed, peak RSS in KiB). A plain
    stranger at a TLS port sends the header where the node expects a TLS ClientHello."""
    raw = socket.create_connection((host, port), timeout=10)
    sock = raw
    if tls is not None:
        ca, cert, key = tls
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        context.check_hostname = False
        context.load_cert_chain(cert, key)
        sock = context.wrap_socket(raw)
    try:
        sock.sendall(basp_header(CLIENT_HANDSHAKE, HUGE, BASP_VERSION))
        return wait_closed(sock, wait, pid)
    finally:
        sock.close()
