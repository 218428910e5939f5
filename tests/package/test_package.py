"""The Debian package that `cpack -G DEB` builds from the build tree (cmake/packaging.cmake).

cpack writes the package into a temporary directory; the checks read it with dpkg-deb
and run what it holds from an extracted copy. Nothing is installed on this machine.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

FEDSTACK = os.environ["FEDSTACK_BIN"]
BUILD_DIR = os.environ["FEDSTACK_BUILD_DIR"]

BINARY = "usr/bin/fedstack"
UNIT = "lib/systemd/system/fedstack-agent.service"
CONF = "etc/fedstack/agent.conf"
SCRIPTS = ("postinst", "prerm", "postrm")


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, **kwargs)


def agent_options():
    """(name, default) of every `fedstack agent` option, from --config-reference's table."""
    table = run(FEDSTACK, "agent", "--config-reference", check=True).stdout
    options = []
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        options.append((cells[0].strip("`"), cells[1].strip("`")))
    return options


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fedstack-package-test-")
        out = os.path.join(cls.tmp, "out")
        cpack = run("cpack", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"),
                    "-G", "DEB", "-B", out)
        if cpack.returncode != 0:
            shutil.rmtree(cls.tmp)
            raise AssertionError("cpack failed:\n" + cpack.stdout + cpack.stderr)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        assert len(debs) == 1, debs
        cls.deb = os.path.join(out, debs[0])
        cls.root = os.path.join(cls.tmp, "root")
        cls.control = os.path.join(cls.tmp, "control")
        run("dpkg-deb", "-x", cls.deb, cls.root, check=True)
        run("dpkg-deb", "-e", cls.deb, cls.control, check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def field(self, name):
        return run("dpkg-deb", "-f", self.deb, name, check=True).stdout.strip()

    def test_file_list(self):
        listing = run("dpkg-deb", "-c", self.deb, check=True).stdout
        files = {line.split()[-1].lstrip(".").rstrip("/") for line in listing.splitlines()}
        for path in (BINARY, UNIT, CONF, "usr/share/doc/fedstack/README.md",
                     "usr/share/doc/fedstack/docs/packaging.md",
                     "usr/share/doc/fedstack/docs/configuration.md",
                     "usr/share/fedstack/fedstack-certs.sh"):
            self.assertIn("/" + path, files)
        for line in listing.splitlines():
            self.assertIn(" root/root ", line, "files belong to root")
        self.assertTrue(os.access(os.path.join(self.root, BINARY), os.X_OK))
        self.assertTrue(os.access(os.path.join(self.root, "usr/share/fedstack/fedstack-certs.sh"), os.X_OK))
        # CPACK_STRIP_FILES: no symbol table left in the packaged binary.
        sections = run("readelf", "-S", "-W", os.path.join(self.root, BINARY), check=True).stdout
        self.assertNotIn(".symtab", sections)

    def test_control_fields(self):
        version = run(FEDSTACK, "--version", check=True).stdout.split()[-1]
        self.assertEqual(self.field("Package"), "fedstack")
        self.assertEqual(self.field("Version"), version)
        self.assertEqual(self.field("Section"), "net")
        self.assertEqual(self.field("Architecture"),
                         run("dpkg", "--print-architecture", check=True).stdout.strip())
        self.assertTrue(self.field("Maintainer"))
        self.assertTrue(self.field("Description"))
        depends = [d.strip().split()[0] for d in self.field("Depends").split(",")]
        for package in ("adduser", "libcaf-core0.17", "libcaf-io0.17", "liblmdb0", "libc6",
                        "libstdc++6", "libjemalloc2"):
            self.assertIn(package, depends)

    def test_agent_conf_is_a_conffile(self):
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/" + CONF])

    def test_maintainer_scripts_are_executable_and_parse(self):
        for script in SCRIPTS:
            path = os.path.join(self.control, script)
            self.assertTrue(os.access(path, os.X_OK), script)
            result = run("sh", "-n", path)
            self.assertEqual(result.returncode, 0, script + ": " + result.stderr)
        with open(os.path.join(self.control, "postinst")) as f:
            postinst = f.read()
        self.assertIn("adduser --system", postinst)
        self.assertIn("/var/lib/fedstack", postinst)
        with open(os.path.join(self.control, "postrm")) as f:
            self.assertIn('"$1" = "purge"', f.read())

    def test_unit_runs_the_packaged_binary_with_the_packaged_config(self):
        with open(os.path.join(self.root, UNIT)) as f:
            unit = dict(line.split("=", 1) for line in f.read().splitlines()
                        if "=" in line and not line.startswith("#"))
        self.assertEqual(unit["ExecStart"], f"/{BINARY} agent --config /{CONF}")
        self.assertEqual(unit["User"], "fedstack")
        self.assertEqual(unit["Restart"], "on-failure")
        self.assertEqual(unit["WantedBy"], "multi-user.target")
        self.assertIn("StateDirectory", unit)   # /var/lib/fedstack writable under ProtectSystem
        self.assertEqual(unit["ProtectSystem"], "strict")

    def test_unit_passes_systemd_analyze_verify(self):
        # verify checks that ExecStart's binary exists and loads the units this one depends
        # on (sysinit.target, network-online.target, ...). With --root it reads all of that
        # under a directory instead of /: the package extracted over a copy of this
        # machine's system units, so the packaged unit is verified unchanged against the
        # packaged binary. systemd need not run. verify exits 0 on mere warnings (unknown
        # keys, bad values), so any output fails the test too.
        verify_root = os.path.join(self.tmp, "verify-root")
        shutil.copytree("/lib/systemd/system", os.path.join(verify_root, "lib/systemd/system"),
                        symlinks=True)
        run("dpkg-deb", "-x", self.deb, verify_root, check=True)
        result = run("systemd-analyze", "verify", "--root=" + verify_root,
                     "fedstack-agent.service")
        self.assertEqual((result.returncode, result.stdout + result.stderr), (0, ""))

    def test_packaged_binary_runs(self):
        result = run(os.path.join(self.root, BINARY), "--version", check=True)
        self.assertRegex(result.stdout, r"^fedstack \d+\.\d+\.\d+\n$")

    def test_agent_conf_lists_every_option_and_parses(self):
        conf = os.path.join(self.root, CONF)
        with open(conf) as f:
            lines = f.read().splitlines()
        missing = [name for name, default in agent_options()
                   if f"# {name} = {default}".rstrip() not in lines]
        self.assertEqual(missing, [], "options without a '# name = default' line")
        set_lines = [line for line in lines if line and not line.startswith("#")]
        self.assertIn("data-dir = /var/lib/fedstack", set_lines)
        # The packaged binary reads the file (a bad line exits 2 before --help is looked at).
        result = run(os.path.join(self.root, BINARY), "agent", "--config", conf, "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("usage: fedstack agent", result.stdout)


if __name__ == "__main__":
    unittest.main()
