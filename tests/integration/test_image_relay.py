"""Image bytes through the agent: a download is moved from the cloud's socket to
the client's with splice(2) (http/splice.hpp), or with `--copy-downloads`
through the agent's buffers. Both must deliver the uploaded bytes exactly and
count them; a client that leaves mid-download must not take the agent down."""
import json
import socket
import unittest

from harness import Federation, http, token
from prometheus_text import parse_exposition, total

SIZE = 16 * 1024 * 1024 + 12345   # larger than the loopback socket buffers hold


def image_bytes():
    """Bytes that differ from offset to offset, so that a lost or repeated piece shows."""
    block = bytes((i * 131 + (i >> 8)) & 0xFF for i in range(65536))
    return (block * (SIZE // len(block) + 1))[:SIZE]


class DownloadRelay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, build_delay_ms=0)
        try:
            cls.copying = cls.fed.start_agent("cloudlet-1", "agent-copying", ("--copy-downloads",))
            cls.splicing = cls.fed.agents[0]
            cls.tok, _ = token(cls.splicing["url"])
            cls.data = image_bytes()
            status, _, body = http("POST", cls.splicing["url"] + "/image/v2/images",
                                   {"name": "relayed", "disk_format": "raw", "container_format": "bare"},
                                   headers=cls.headers())
            assert status == 201, (status, body)
            cls.image = json.loads(body)["id"]
            status, _, body = http("PUT", cls.splicing["url"] + f"/image/v2/images/{cls.image}/file",
                                   raw=cls.data, headers={**cls.headers(),
                                                          "Content-Type": "application/octet-stream"})
            assert status == 204, (status, body)
        except BaseException:
            cls.fed.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    @classmethod
    def headers(cls):
        return {"X-Auth-Token": cls.tok}

    def downloaded_total(self, agent):
        status, _, body = http("GET", agent["url"] + "/metrics")
        self.assertEqual(status, 200)
        _, samples = parse_exposition(body.decode())
        return total(samples, "fedstack_image_bytes_streamed_total", direction="download")

    def test_both_relays_deliver_the_uploaded_bytes_and_count_them(self):
        for agent in (self.splicing, self.copying):
            before = self.downloaded_total(agent)
            status, headers, body = http("GET", agent["url"] + f"/image/v2/images/{self.image}/file",
                                         headers=self.headers())
            self.assertEqual(status, 200)
            self.assertEqual(int(headers["Content-Length"]), SIZE)
            self.assertEqual(len(body), SIZE)
            self.assertTrue(body == self.data, "the downloaded bytes differ from the uploaded ones")
            self.assertEqual(self.downloaded_total(agent) - before, SIZE)

    def test_a_client_that_leaves_mid_download_does_not_harm_the_agent(self):
        for agent in (self.splicing, self.copying):
            port = int(agent["url"].rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(f"GET /image/v2/images/{self.image}/file HTTP/1.1\r\nHost: x\r\n"
                          f"X-Auth-Token: {self.tok}\r\n\r\n".encode())
                got = s.recv(65536)
                self.assertTrue(got.startswith(b"HTTP/1.1 200"), got[:100])
            # Closed with most of the body unread: the agent's next write fails (a
            # reset or a broken pipe). It must still serve, the same image too.
            status, _, body = http("GET", agent["url"] + f"/image/v2/images/{self.image}/file",
                                   headers=self.headers())
            self.assertEqual(status, 200)
            self.assertTrue(body == self.data)
            self.assertIsNone(agent["process"].proc.poll())


if __name__ == "__main__":
    unittest.main()
