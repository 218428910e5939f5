"""Floating IPs and routers anywhere, and the operators' same-named external
networks as one (docs/federation.md, "Floating IPs and routers anywhere"):
3 simulated cloudlets, each with the operator's external network `public`
(`fedstack sim --external-network public`), 3 agents, the real openstack CLI.
The demo project's server is pinned to cloudlet-3 through agent 1; its floating
IP is made through agent 1, associated through agent 2 (which does not record
it), shown through agent 3 and removed from the server through agent 3; its router
is made through agent 2 and given a subnet and a gateway through the others.
"""
import ipaddress
import json
import os
import unittest

from harness import Federation, http, make_project_member, openstack, token

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
        cls.token, _ = token(cls.fed.keystone_url)
        # Another project, not an admin: it must neither see nor use demo's.
        make_project_member(cls.fed.agents[0]["url"], cls.token, "mallory")
        cls.mallory_token, _ = token(cls.fed.agents[2]["url"], "mallory", "mallory", "mallory")
        cls.demo_token, _ = token(cls.fed.agents[0]["url"], "demo", "demo", "demo")
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

    def agent(self, agent, method, path, tok, body=None):
        """A Neutron call through agent `agent` (0-based) with `tok` (the CLI is checked once per call
        kind; the rest costs a CLI process each for nothing)."""
        status, _, data = http(method, self.fed.agents[agent]["url"] + path, body, headers={"X-Auth-Token": tok})
        return status, (json.loads(data) if data else None)

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

    def demo_network(self, prefix, cidr):
        """demo's image, network and subnet, made through agent 1 (on cloudlet-1)."""
        image_file = os.path.join(self.fed.dir, prefix + ".bin")
        with open(image_file, "wb") as f:
            f.write(os.urandom(64 * 1024))
        d1 = self.demo[0]
        image = openstack(d1, "image", "create", "--file", image_file, "--disk-format", "qcow2",
                          "--container-format", "bare", prefix + "-image", "-f", "json")["id"]
        network = openstack(d1, "network", "create", prefix + "-net", "-f", "json")["id"]
        subnet = openstack(d1, "subnet", "create", "--network", prefix + "-net", "--subnet-range", cidr,
                           prefix + "-subnet", "-f", "json")["id"]
        return image, network, subnet

    def boot_on_cloudlet_3(self, prefix, image, network):
        """demo's server on `network`, booted through agent 1 and pinned to cloudlet-3."""
        server = openstack(self.demo[0], "server", "create", "--image", image, "--flavor", "m1.tiny", "--nic",
                           "net-id=" + network, "--availability-zone", "cloudlet-3", "--wait", prefix + "-vm",
                           "-f", "json")
        self.assertEqual(server["OS-EXT-AZ:availability_zone"], "cloudlet-3")
        return server

    def test_a_floating_ip_and_a_router_for_a_server_on_another_cloudlet(self):
        d1, d2, d3 = self.demo
        # One external network of the federation, the same through every agent.
        listed = openstack(d1, "network", "list", "--external", "-f", "json")
        self.assertEqual([n["Name"] for n in listed], ["public"], listed)
        public_id = listed[0]["ID"]
        for agent in (1, 2):
            status, body = self.agent(agent, "GET", "/v2.0/networks?router:external=True", self.demo_token)
            self.assertEqual((status, [(n["name"], n["id"]) for n in body["networks"]]), (200, [("public", public_id)]),
                             f"through agent {agent + 1}")
        self.assertNotIn(public_id, [n["id"] for n in self.public_before.values()])
        shown = openstack(d3, "network", "show", public_id, "-f", "json")
        self.assertEqual((shown["name"], shown["router:external"]), ("public", True))

        # demo's network through agent 1 (on cloudlet-1), its server pinned to cloudlet-3.
        image, network, subnet = self.demo_network("fip", "10.50.0.0/24")
        self.boot_on_cloudlet_3("fip", image, network)

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
        self.assertEqual([x["ID"] for x in openstack(d3, "router", "list", "-f", "json")], [router])
        for agent in (0, 1):
            status, body = self.agent(agent, "GET", "/v2.0/routers", self.demo_token)
            self.assertEqual((status, [x["id"] for x in body["routers"]]), (200, [router]), f"through agent {agent + 1}")
        shown = openstack(d1, "router", "show", router, "-f", "json")
        self.assertEqual(shown["external_gateway_info"]["network_id"], public_id)

        # The floating IP: made through agent 1 (cloudlet-1's public; agent 1 records it), associated
        # through agent 2 with the server on cloudlet-3: allocated there instead, under the same ID.
        fip = openstack(d1, "floating", "ip", "create", "public", "-f", "json")
        self.assertIn(ipaddress.ip_address(fip["floating_ip_address"]), PUBLIC["cloudlet-1"])
        self.assertEqual(fip["floating_network_id"], public_id)
        openstack(d2, "server", "add", "floating", "ip", "fip-vm", fip["floating_ip_address"])
        shown = openstack(d3, "floating", "ip", "show", fip["id"], "-f", "json")
        address = ipaddress.ip_address(shown["floating_ip_address"])
        self.assertIn(address, PUBLIC["cloudlet-3"])
        self.assertEqual(shown["floating_network_id"], public_id)
        self.assertIsNotNone(shown["port_id"])
        self.assertEqual(self.floating_ips_on("cloudlet-1"), [], "the unused address was not released")
        self.assertEqual(len(self.floating_ips_on("cloudlet-3")), 1)
        listed = openstack(d3, "floating", "ip", "list", "-f", "json")
        self.assertEqual([(x["ID"], x["Floating IP Address"]) for x in listed], [(fip["id"], str(address))])
        by_address = openstack(d1, "floating", "ip", "show", str(address), "-f", "json")
        self.assertEqual(by_address["id"], fip["id"])

        # Another project neither sees nor uses any of it.
        # (Over HTTP through agent 3, the calls `floating ip list/show/delete/unset --port` and
        # `router list/show/remove subnet/delete` make.)
        mallory = self.mallory_token
        self.assertEqual(self.agent(2, "GET", "/v2.0/floatingips", mallory), (200, {"floatingips": []}))
        self.assertEqual(self.agent(2, "GET", "/v2.0/routers", mallory), (200, {"routers": []}))
        for method, path, body in (("GET", "/v2.0/floatingips/" + fip["id"], None),
                                   ("DELETE", "/v2.0/floatingips/" + fip["id"], None),
                                   ("PUT", "/v2.0/floatingips/" + fip["id"], {"floatingip": {"port_id": None}}),
                                   ("GET", "/v2.0/routers/" + router, None),
                                   ("PUT", f"/v2.0/routers/{router}/remove_router_interface", {"subnet_id": subnet}),
                                   ("DELETE", "/v2.0/routers/" + router, None)):
            status, answer = self.agent(2, method, path, mallory, body)
            self.assertEqual(status, 404, (method, path, answer))
        self.assertEqual(len(self.floating_ips_on("cloudlet-3")), 1)
        # Its own floating IP from the same external network is its own.
        status, own = self.agent(2, "POST", "/v2.0/floatingips", mallory,
                                 {"floatingip": {"floating_network_id": public_id}})
        self.assertEqual(status, 201, own)
        self.assertIn(ipaddress.ip_address(own["floatingip"]["floating_ip_address"]), PUBLIC["cloudlet-3"])
        status, listed = self.agent(0, "GET", "/v2.0/floatingips", self.demo_token)
        self.assertEqual((status, [x["id"] for x in listed["floatingips"]]), (200, [fip["id"]]))
        self.assertEqual(self.agent(2, "DELETE", "/v2.0/floatingips/" + own["floatingip"]["id"], mallory)[0], 204)

        # Removed from the server through agent 3, deleted through agent 1.
        openstack(d3, "server", "remove", "floating", "ip", "fip-vm", str(address))
        self.assertEqual([x["port_id"] for x in self.floating_ips_on("cloudlet-3")], [None])
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

    def test_a_router_follows_its_subnet_to_a_cloudlet_a_later_boot_copies_it_to(self):
        d1, d2, d3 = self.demo
        public_id = openstack(d1, "network", "list", "--external", "-f", "json")[0]["ID"]
        image, network, subnet = self.demo_network("later", "10.51.0.0/24")
        # The router gets the subnet while the subnet is on cloudlet-1 only.
        router = openstack(d2, "router", "create", "--external-gateway", public_id, "later-router", "-f", "json")["id"]
        openstack(d2, "router", "add", "subnet", router, subnet)
        self.assertEqual(self.routers_on("cloudlet-3"), [])

        # A boot on cloudlet-3 copies the subnet there, and the router follows it.
        self.boot_on_cloudlet_3("later", image, network)
        copies = [x for x in self.routers_on("cloudlet-3") if "fedstack_copy_of=" + router in x["tags"]]
        self.assertEqual(len(copies), 1, self.routers_on("cloudlet-3"))
        self.assertEqual(copies[0]["external_gateway_info"]["network_id"], self.public_before["cloudlet-3"]["id"])
        self.assertEqual(len(self.interfaces_on("cloudlet-3", copies[0]["id"])), 1)

        # So the server there gets a floating IP of cloudlet-3's public through its own agent.
        fip = openstack(d3, "floating", "ip", "create", "public", "-f", "json")
        self.assertIn(ipaddress.ip_address(fip["floating_ip_address"]), PUBLIC["cloudlet-3"])
        openstack(d3, "server", "add", "floating", "ip", "later-vm", fip["floating_ip_address"])
        shown = openstack(d3, "floating", "ip", "show", fip["id"], "-f", "json")
        self.assertIsNotNone(shown["port_id"])

        openstack(d3, "floating", "ip", "delete", fip["id"])
        openstack(d1, "router", "remove", "subnet", router, subnet)
        openstack(d1, "router", "delete", router)
        for region in PUBLIC:
            self.assertEqual(self.routers_on(region), [], region)
        openstack(d1, "server", "delete", "--wait", "later-vm")
        openstack(d1, "network", "delete", network)


if __name__ == "__main__":
    unittest.main()
