"""Loaded by the `openstack` CLI that the end-to-end tests run (harness.openstack puts this
folder on its PYTHONPATH): `--wait` polls every FEDSTACK_CLI_POLL_S seconds (default 0.2)
instead of osc-lib's fixed 5 s. The simulator builds a server in 50-300 ms, so each
`server create --wait` or `server delete --wait` otherwise slept 5 s for nothing. The CLI
still polls the same GET until the same status; only the interval is shorter."""
import os

try:
    from osc_lib import utils as _utils
except ImportError:   # not the openstack CLI's interpreter
    _utils = None


def _with_short_polls(wait):
    def patched(*args, **kwargs):
        kwargs.setdefault("sleep_time", float(os.environ.get("FEDSTACK_CLI_POLL_S", "0.2")))
        return wait(*args, **kwargs)
    patched.__wrapped__ = wait
    return patched


if _utils is not None:
    _utils.wait_for_status = _with_short_polls(_utils.wait_for_status)
    _utils.wait_for_delete = _with_short_polls(_utils.wait_for_delete)
