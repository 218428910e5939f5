"""The real openstack CLI through one agent, for every call of thesis tables 3.2-3.5."""
import filecmp
import os
import unittest

from harness import Federation, openstack


class CliThroughAgent(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=1, build_delay_ms=300)
        cls.env = cls.fed.env()
        cls.dir = cls.fed.dir

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    def os(self, *args, **kw):
        return openstack(self.env, *args, **kw)

    def make_file(self, name, size):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        return path

    def test_token_issue(self):
        token = self.os("token", "issue", "-f", "json")
        self.assertTrue(token["id"])
        self.assertEqual(len(token["project_id"]), 32)

    def test_image_create_list_show_save_delete(self):
        source = self.make_file("image.bin", 3 * 1024 * 1024 + 123)
        image = self.os("image", "create", "--file", source, "--disk-format", "raw",
                        "--container-format", "bare", "cli-image", "-f", "json")
        # The CLI prints the image as created (queued, as real Glance shows it); the
        # upload that follows makes it active.
        self.assertEqual(self.os("image", "show", image["id"], "-f", "json")["status"], "active")
        listed = self.os("image", "list", "-f", "json")
        self.assertIn(image["id"], [i["ID"] for i in listed])
        shown = self.os("image", "show", image["id"], "-f", "json")
        self.assertEqual(shown["name"], "cli-image")
        self.assertEqual(shown["size"], os.path.getsize(source))
        saved = os.path.join(self.dir, "saved.bin")
        self.os("image", "save", "--file", saved, image["id"])
        self.assertTrue(filecmp.cmp(source, saved, shallow=False), "bytes saved differ")
        self.os("image", "delete", image["id"])
        gone = self.os("image", "show", image["id"], check=False)
        self.assertNotEqual(gone.returncode, 0)

    def test_network_subnet_port_create_list_show_delete(self):
        net = self.os("network", "create", "cli-net", "-f", "json")
        subnet = self.os("subnet", "create", "--network", net["id"], "--subnet-range",
                         "10.7.0.0/24", "cli-subnet", "-f", "json")
        self.assertEqual(subnet["network_id"], net["id"])
        port = self.os("port", "create", "--network", net["id"], "cli-port", "-f", "json")
        self.assertEqual(port["network_id"], net["id"])
        self.assertIn(subnet["id"], str(port["fixed_ips"]))
        self.assertIn(net["id"], [n["ID"] for n in self.os("network", "list", "-f", "json")])
        self.assertIn(subnet["id"], [s["ID"] for s in self.os("subnet", "list", "-f", "json")])
        self.assertIn(port["id"], [p["ID"] for p in self.os("port", "list", "-f", "json")])
        self.assertEqual(self.os("network", "show", net["id"], "-f", "json")["name"], "cli-net")
        self.assertEqual(self.os("subnet", "show", subnet["id"], "-f", "json")["cidr"], "10.7.0.0/24")
        self.assertEqual(self.os("port", "show", port["id"], "-f", "json")["name"], "cli-port")
        self.os("port", "delete", port["id"])
        self.os("subnet", "delete", subnet["id"])
        self.os("network", "delete", net["id"])
        self.assertNotIn(net["id"], [n["ID"] for n in self.os("network", "list", "-f", "json")])

    def test_flavor_create_list_show_delete(self):
        flavor = self.os("flavor", "create", "--ram", "256", "--disk", "1", "--vcpus", "1",
                         "cli-flavor", "-f", "json")
        self.assertIn("cli-flavor", [f["Name"] for f in self.os("flavor", "list", "-f", "json")])
        self.assertEqual(self.os("flavor", "show", flavor["id"], "-f", "json")["ram"], 256)
        self.os("flavor", "delete", flavor["id"])
        self.assertNotIn("cli-flavor", [f["Name"] for f in self.os("flavor", "list", "-f", "json")])

    def test_server_create_list_show_delete(self):
        source = self.make_file("boot.bin", 64 * 1024)
        image = self.os("image", "create", "--file", source, "--disk-format", "qcow2",
                        "--container-format", "bare", "boot-image", "-f", "json")
        net = self.os("network", "create", "boot-net", "-f", "json")
        self.os("subnet", "create", "--network", net["id"], "--subnet-range", "10.8.0.0/24",
                "boot-subnet")
        server = self.os("server", "create", "--image", image["id"], "--flavor", "m1.tiny",
                         "--network", net["id"], "--wait", "cli-vm", "-f", "json")
        self.assertEqual(server["status"], "ACTIVE")
        listed = self.os("server", "list", "-f", "json")
        self.assertIn(server["id"], [s["ID"] for s in listed])
        long = self.os("server", "list", "--long", "-f", "json")
        row = next(s for s in long if s["ID"] == server["id"])
        self.assertEqual(row["Image ID"], image["id"])   # the global ID, translated back
        shown = self.os("server", "show", server["id"], "-f", "json")
        self.assertEqual(shown["name"], "cli-vm")
        self.assertIn("boot-net", str(shown["addresses"]))
        self.os("server", "delete", "--wait", server["id"])
        self.assertNotIn(server["id"], [s["ID"] for s in self.os("server", "list", "-f", "json")])
        self.os("image", "delete", image["id"])
        self.os("network", "delete", net["id"])

    def test_hypervisor_list(self):
        hypervisors = self.os("hypervisor", "list", "-f", "json")
        self.assertGreaterEqual(len(hypervisors), 1)
        self.assertTrue(all(h["State"] == "up" for h in hypervisors))


if __name__ == "__main__":
    unittest.main()
