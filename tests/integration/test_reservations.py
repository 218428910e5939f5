"""Record-keeping that survives a crash between the cloud's create and the bind.

The agent reserves a global ID, asks the cloud to create the resource carrying
it, and binds it when the cloud answers. Killed (SIGKILL) while the cloud is
still working, it leaves a reservation; after a restart the sweep finds the
marked resource on the cloudlet and adopts it, so the ID resolves."""
import json
import subprocess
import threading
import time
import unittest

from harness import FEDSTACK, Federation, http, token

# Capacity is read once at start, so that the only request the cloudlet holds
# below is the create.
SWEEP = ("--reservation-timeout-ms", "300", "--reservation-sweep-ms", "100",
         "--capacity-period-ms", "3600000")


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
    raise AssertionError(f"timed out waiting for {what}")


class ReservationSweep(unittest.TestCase):
    def test_a_create_cut_short_by_a_crash_is_adopted(self):
        fed = Federation(cloudlets=1, agent_args=SWEEP)
        try:
            agent = fed.agents[0]
            tok, _ = token(agent["url"])
            glance = fed.endpoints["cloudlets"][0]["image_url"]

            def own_capacity_read():
                result = subprocess.run([FEDSTACK, "capacity", "--node", agent["node"], "--json"],
                                        capture_output=True, text=True, timeout=30)
                return result.returncode == 0 and json.loads(result.stdout)["reports"]
            # The start-up capacity read must be over before the cloud slows down: the
            # create below has to be the only request it holds.
            wait_for(own_capacity_read, what="the agent's first capacity reading")
            # The cloud takes 1.5 s to answer; the agent dies meanwhile.
            status, _, body = http("PUT", fed.keystone_url + "/sim/faults/cloudlet-1", {"latency_ms": 1500})
            self.assertEqual(status, 200, body)
            threading.Thread(target=http, daemon=True, args=(
                "POST", agent["url"] + "/v2/images",
                {"name": "interrupted", "disk_format": "raw", "container_format": "bare"},
                {"X-Auth-Token": tok}), kwargs={"timeout": 10}).start()

            def marked_image():
                status, _, body = http("GET", glance + "/v2/images?name=interrupted",
                                       headers={"X-Auth-Token": tok})
                images = json.loads(body)["images"] if status == 200 else []
                return images[0] if images else None

            def cloud_holds_the_create():
                _, _, body = http("GET", fed.keystone_url + "/sim/faults")
                return json.loads(body)["faults"]["cloudlet-1"]["in_flight"] > 0

            # The create reached the cloud, which holds it for the latency: kill now.
            wait_for(cloud_holds_the_create, what="the create to reach the cloud")
            agent["process"].proc.kill()
            agent["process"].proc.wait()
            fed.processes.remove(agent["process"])
            image = wait_for(marked_image, what="the cloud to finish the create")
            gid = image["fedstack_gid"]
            http("DELETE", fed.keystone_url + "/sim/faults/cloudlet-1")

            again = fed.start_agent("cloudlet-1", "agent-1", SWEEP)

            def adopted():
                status, _, body = http("GET", again["url"] + "/v2/images/" + gid,
                                       headers={"X-Auth-Token": tok})
                return status == 200 and json.loads(body)
            shown = wait_for(adopted, what="the sweep to adopt the image")
            self.assertEqual(shown["id"], gid)
            self.assertEqual(shown["name"], "interrupted")
            self.assertNotIn("fedstack_gid", shown)
        finally:
            fed.close()


if __name__ == "__main__":
    unittest.main()
