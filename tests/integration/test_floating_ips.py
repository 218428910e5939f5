"""Floating IPs and routers anywhere, and the operators' same-named external
networks as one (docs/federation.md, "Floating IPs and routers anywhere"):
3 simulated cloudlets, each with the operator's external network `public`
(`fedstack sim --external-network public`), 3 agents, the real openstack CLI.
The demo project's server is pinned to cloudlet-3 through agent 1; its floating
IP is made and associated through agent 2 and shown through agent 3; its router
is made through agent 2 and given a subnet and a gateway through the others.
"""
import ipaddress
import json
import os
import time
import unittest

from harness import Federation, capacity_reports, http, openstack, token

CLOUDLETS = 3
# What the simulator gives cloudlet n's `public` (sim/sim.cpp).
PUBLIC = {f"cloudlet-{n}": ipaddress.ip_network(f"172.24.{3 + n}.0/24") for n in range(1, CLOUDLETS + 1)}


class FloatingIpsAndRoutersAnywhere(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fed = Federation(cloudlets=CLOUDLETS, build_delay_ms=100, chain=True,
                             sim_args=("--external-network", "public"),
                             agent_args=("--shuffle-period-ms", "300", "--capacity-period-ms", "200"))
        cls.admin = cls.fed.env(agent=0)
        cls.demo = [cls.fed.env(agent=i, user="demo", password="demo", project="demo") for i in range(CLOUDLETS)]
        deadline = time.monotonic() + 60
        while len({r["region"] for r in capacity_reports(cls.fed.agents[0]["node"])}) < CLOUDLETS:
            if time.monotonic() > deadline:
                raise AssertionError("agent 1 never saw every cloudlet's capacity")
        cls.token, _ = token(cls.fed.keystone_url)
        # Another project, not an admin: it must neither see nor use demo's.
        openstack(cls.admin, "project", "create", "mallory")
        openstack(cls.admin, "user", "create", "--project", "mallory", "--password", "mallory", "mallory")
        openstack(cls.admin, "role", "add", "--user", "mallory", "--project", "mallory", "member")
        cls.mallory = cls.fed.env(agent=2, user="mallory", password="mallory", project="mallory")
        cls.public_before = {region: cls.cloud_public(region) for region in PUBLIC}

    @classmethod
    def tearDownClass(cls):
        codes = cls.fed.close()
        assert all(c == 0 for c in codes), f"processes exited with {codes}"

    @classmethod
    def cloud(cls, region, method, path, body=None):
        """A cloudlet's own Neutron, bypassing every agent, as the admin."""
        c = next(c for c in cls.fed.endpoints["cloudlets"] if c["region"] == region)
        status, _, data = http(method, c["network_url"] + path, body, headers={"X-Auth-Token": cls.token})
        return status, (json.loads(data) if data else None)

    @classmethod
    def cloud_public(cls, region):
        status, body = cls.cloud(region, "GET", "/v2.0/networks?name=public")
        assert status == 200, body
        assert len(body["networks"]) == 1, body
        return body["networks"][0]

    def floating_ips_on(self, region):
        status, body = self.cloud(region, "GET", "/v2.0/floatingips")
        self.assertEqual(status, 200, body)
        return body["floatingips"]

    def routers_on(self, region):
        status, body = self.cloud(region, "GET", "/v2.0/routers")
        self.assertEqual(status, 200, body)
        return body["routers"]

    def interfaces_on(self, region, router_id):
        status, body = self.cloud(region, "GET", "/v2.0/ports?device_owner=network:router_interface&device_id=" +
                                  router_id)
        self.assertEqual(status, 200, body)
        return body["ports"]

    def test_a_floating_ip_and_a_router_for_a_server_on_another_cloudlet(self):
        d1, d2, d3 = self.demo
        # One external network of the federation, the same through every agent.
        externals = [openstack(env, "network", "list", "--external", "-f", "json") for env in self.demo]
        for listed in externals:
            self.assertEqual([n["Name"] for n in listed], ["public"], listed)
        public_id = externals[0][0]["ID"]
        self.assertTrue(all(listed[0]["ID"] == public_id for listed in externals), externals)
        self.assertNotIn(public_id, [n["id"] for n in self.public_before.values()])
        shown = openstack(d3, "network", "show", public_id, "-f", "json")
        self.assertEqual((shown["name"], shown["router:external"]), ("public", True))

        # demo's network through agent 1 (on cloudlet-1), its server pinned to cloudlet-3.
        image_file = os.path.join(self.fed.dir, "fip.bin")
        with open(image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        image = openstack(d1, "image", "create", "--file", image_file, "--disk-format", "qcow2",
                          "--container-format", "bare", "fip-image", "-f", "json")["id"]
        network = openstack(d1, "network", "create", "fip-net", "-f", "json")["id"]
        subnet = openstack(d1, "subnet", "create", "--network", "fip-net", "--subnet-range", "10.50.0.0/24",
                           "fip-subnet", "-f", "json")["id"]
        server = openstack(d1, "server", "create", "--image", image, "--flavor", "m1.tiny", "--nic",
                           "net-id=" + network, "--availability-zone", "cloudlet-3", "--wait", "fip-vm",
                           "-f", "json")
        self.assertEqual(server["OS-EXT-AZ:availability_zone"], "cloudlet-3")

        # The router: made through agent 2 (cloudlet-2), its gateway through agent 1, its subnet through
        # agent 3: copies on cloudlet-1 (the subnet's primary) and cloudlet-3 (the boot's copy).
        router = openstack(d2, "router", "create", "fip-router", "-f", "json")["id"]
        openstack(d1, "router", "set", "--external-gateway", public_id, router)
        openstack(d3, "router", "add", "subnet", router, subnet)
        for region in ("cloudlet-1", "cloudlet-3"):
            copies = [x for x in self.routers_on(region) if "fedstack_copy_of=" + router in x["tags"]]
            self.assertEqual(len(copies), 1, (region, self.routers_on(region)))
            self.assertEqual(copies[0]["external_gateway_info"]["network_id"], self.public_before[region]["id"])
            self.assertEqual(len(self.interfaces_on(region, copies[0]["id"])), 1, region)
        for env in self.demo:
            self.assertEqual([x["ID"] for x in openstack(env, "router", "list", "-f", "json")], [router])
        shown = openstack(d1, "router", "show", router, "-f", "json")
        self.assertEqual(shown["external_gateway_info"]["network_id"], public_id)

        # The floating IP: made through agent 2 (cloudlet-2's public), associated through agent 2 with
        # the server on cloudlet-3: allocated there instead, under the same ID.
        fip = openstack(d2, "floating", "ip", "create", "public", "-f", "json")
        self.assertIn(ipaddress.ip_address(fip["floating_ip_address"]), PUBLIC["cloudlet-2"])
        self.assertEqual(fip["floating_network_id"], public_id)
        openstack(d2, "server", "add", "floating", "ip", "fip-vm", fip["floating_ip_address"])
        shown = openstack(d3, "floating", "ip", "show", fip["id"], "-f", "json")
        address = ipaddress.ip_address(shown["floating_ip_address"])
        self.assertIn(address, PUBLIC["cloudlet-3"])
        self.assertEqual(shown["floating_network_id"], public_id)
        self.assertIsNotNone(shown["port_id"])
        self.assertEqual(self.floating_ips_on("cloudlet-2"), [], "the unused address was not released")
        self.assertEqual(len(self.floating_ips_on("cloudlet-3")), 1)
        listed = openstack(d3, "floating", "ip", "list", "-f", "json")
        self.assertEqual([(x["ID"], x["Floating IP Address"]) for x in listed], [(fip["id"], str(address))])
        by_address = openstack(d1, "floating", "ip", "show", str(address), "-f", "json")
        self.assertEqual(by_address["id"], fip["id"])

        # Another project neither sees nor uses any of it.
        self.assertEqual(openstack(self.mallory, "floating", "ip", "list", "-f", "json"), [])
        self.assertEqual(openstack(self.mallory, "router", "list", "-f", "json"), [])
        for args in (("floating", "ip", "show", fip["id"]), ("floating", "ip", "delete", fip["id"]),
                     ("floating", "ip", "unset", "--port", fip["id"]), ("router", "show", router),
                     ("router", "remove", "subnet", router, subnet), ("router", "delete", router)):
            self.assertNotEqual(openstack(self.mallory, *args, check=False).returncode, 0, args)
        self.assertEqual(len(self.floating_ips_on("cloudlet-3")), 1)
        # Its own floating IP from the same external network is its own.
        own = openstack(self.mallory, "floating", "ip", "create", "public", "-f", "json")
        self.assertIn(ipaddress.ip_address(own["floating_ip_address"]), PUBLIC["cloudlet-3"])
        self.assertEqual([x["ID"] for x in openstack(d1, "floating", "ip", "list", "-f", "json")], [fip["id"]])
        openstack(self.mallory, "floating", "ip", "delete", own["id"])

        # Deletes through other agents reach every copy.
        openstack(d1, "floating", "ip", "delete", fip["id"])
        self.assertEqual(self.floating_ips_on("cloudlet-3"), [])
        openstack(d1, "router", "remove", "subnet", router, subnet)
        for region in PUBLIC:
            for r in self.routers_on(region):
                self.assertEqual(self.interfaces_on(region, r["id"]), [], region)
        openstack(d3, "router", "delete", router)
        for region in PUBLIC:
            self.assertEqual(self.routers_on(region), [], region)
        openstack(d2, "server", "delete", "--wait", "fip-vm")
        openstack(d1, "network", "delete", network)

        # The operator's public survives everything, even an admin's delete through an agent.
        refused = openstack(self.admin, "network", "delete", public_id, check=False)
        self.assertNotEqual(refused.returncode, 0)
        for region, before in self.public_before.items():
            after = self.cloud_public(region)
            self.assertEqual((after["id"], after["subnets"]), (before["id"], before["subnets"]), region)


if __name__ == "__main__":
    unittest.main()
