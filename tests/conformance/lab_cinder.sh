#!/usr/bin/env bash
# Adds Cinder (Block Storage v3) to every cloudlet of a RUNNING OpenStack lab made by the lab
# tool's up.sh (../shared/lab/openstack), without touching what up.sh started.
#
#   sudo tests/conformance/lab_cinder.sh [N]          # N cloudlets, default 2; idempotent
#   sudo tests/conformance/lab_cinder.sh [N] --down   # stops only the cinder processes it started (cloud1..N)
#   sudo tests/conformance/lab_cinder.sh [N] --purge  # --down, then drops cloud1..N's endpoints, DBs and volumes
#
# Per cloudlet k (region as in up.sh): cinder-api on 8776+1000*(k-1) (eventlet, one worker),
# cinder-scheduler, cinder-volume and cinder-backup (POSIX driver, a local directory) with
# host=cloudK, DB cinder_k in the lab's MariaDB, vhost cloudK in its RabbitMQ, catalog types volumev3 and block-storage (…/v3/%(project_id)s), keystone
# user `cinder` (admin + service in project service).  Same layout as up.sh: configs
# /etc/oslab/cloudK/cinder/, state /var/lib/oslab/cloudK/cinder/, logs /var/log/oslab/cloudK-cinder-*.log,
# pidfiles /var/lib/oslab/run/cloudK-cinder-*.pid (setsid: pid = process group).
#
# Backend: Cinder's NFS driver on a local directory.  This kind of machine (a Firecracker VM) has
# loop devices but no device-mapper in the kernel, and no modprobe, so LVM cannot activate a
# logical volume (lvcreate: "Required device-mapper target(s) not detected in your kernel"); the
# kernel has no nfs client either.  The NFS driver keeps each volume as a file under a mount point
# that os-brick derives from the share name, and mounts only when that path is not already a
# mount point: we bind-mount /var/lib/oslab/cloudK/cinder/export there, so the driver's own code
# (sparse files, qemu-img for image<->volume copies, extend and qcow2 snapshots) runs on a plain
# directory.  docs/conformance.md ("Cinder in the lab") records what was tried and what works.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin   # avoid pyenv/other python3 shims
export DEBIAN_FRONTEND=noninteractive
PY=/usr/bin/python3

N=2; MODE=up
for a in "$@"; do
  case $a in
    --down) MODE=down ;;
    --purge) MODE=purge ;;
    [0-9]*) N=$a ;;
    *) echo "usage: $0 [N] [--down|--purge]" >&2; exit 2 ;;
  esac
done
LAB=/var/lib/oslab
ETC=/etc/oslab
LOG=/var/log/oslab
RUN=$LAB/run
PW=${OSLAB_PASSWORD:-labpass}
KS_URL=http://127.0.0.1:5000
REGIONS=(RegionOne RegionTwo RegionThree RegionFour RegionFive RegionSix RegionSeven RegionEight RegionNine)
region_of() { local k=$1; if (( k <= ${#REGIONS[@]} )); then echo "${REGIONS[$((k-1))]}"; else echo "Region$k"; fi; }
DBURL() { echo "mysql+pymysql://oslab:$PW@127.0.0.1/$1?charset=utf8"; }
SERVICES=(cinder-api cinder-scheduler cinder-volume cinder-backup)

T_ALL=$(date +%s.%N)
step() { STEP_NAME=$1; STEP_T=$(date +%s.%N); echo "==> $1"; }
done_step() { awk -v a="$(date +%s.%N)" -v b="$STEP_T" -v n="$STEP_NAME" 'BEGIN{printf "    done: %s (%.1fs)\n", n, a-b}'; }

is_running() { [[ -f $RUN/$1.pid ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
start_daemon() {
  local name=$1; shift
  if is_running "$name"; then echo "    $name already running (pid $(cat "$RUN/$name.pid"))"; return 0; fi
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "    started $name pid $!"
}
stop_daemon() { # only what this script started: its own pidfiles; the pid is the process group
  local name=$1 pid i
  [[ -f $RUN/$name.pid ]] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
    echo "    stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}
wait_port() { # host port timeout name
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "ERROR: $4 did not open $1:$2 within $3 s; see $LOG/$4.log" >&2; return 1
}
share_of() { echo "127.0.0.1:$LAB/cloud$1/cinder/export"; }
# The mount point the NFS driver will look for: os-brick's own hash of the share name.
mount_point_of() {
  $PY -c 'import sys; from os_brick.remotefs.remotefs import RemoteFsClient as C
print(C("nfs", "sudo", nfs_mount_point_base=sys.argv[1]).get_mount_point(sys.argv[2]))' \
    "$LAB/cloud$1/cinder/mnt" "$(share_of "$1")"
}
is_mounted() { awk -v p="$1" '$2 == p {f = 1} END {exit !f}' /proc/mounts; }

# ---------------------------------------------------------------- down / purge
if [[ $MODE != up ]]; then
  step "stop cinder"
  for ((k = 1; k <= N; k++)); do
    for s in "${SERVICES[@]}"; do stop_daemon "cloud$k-$s"; done
    mp=$(mount_point_of "$k" 2>/dev/null || true)
    if [[ -n $mp ]] && is_mounted "$mp"; then umount "$mp" && echo "    unmounted $mp"; fi
  done
  done_step
  if [[ $MODE == purge ]]; then
    step "purge: catalog entries, DBs, state"
    $PY - "$N" "$PW" "${REGIONS[@]}" <<'EOF'
import sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
from keystoneclient.v3 import client
n, pw, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
auth = v3.Password(auth_url="http://127.0.0.1:5000/v3", username="admin", password=pw,
                   project_name="admin", user_domain_name="Default", project_domain_name="Default")
ks = client.Client(session=session.Session(auth=auth), interface="public")
regions = {names[k - 1] if k <= len(names) else f"Region{k}" for k in range(1, n + 1)}
for s in ks.services.list():
    if s.type in ("volumev3", "block-storage"):
        for e in ks.endpoints.list(service=s):
            if e.region_id in regions:
                ks.endpoints.delete(e)
        if not ks.endpoints.list(service=s):   # the last region gone: the service and its user too
            ks.services.delete(s)
if not any(s.type in ("volumev3", "block-storage") for s in ks.services.list()):
    for u in ks.users.list(name="cinder"):
        ks.users.delete(u)
EOF
    for ((k = 1; k <= N; k++)); do
      mariadb -e "DROP DATABASE IF EXISTS cinder_$k"
      rm -rf "$LAB/cloud$k/cinder" "$ETC/cloud$k/cinder"
    done
    done_step
  fi
  exit 0
fi

# ---------------------------------------------------------------- packages
step "packages"
# nfs-common only for mount.nfs, which the NFS driver insists exists (it never mounts here);
# dmidecode because os-brick asks it for the system UUID when /sys/class/dmi is absent (a VM
# without DMI) and fails the backup's attach with FileNotFoundError when it is missing too.
PKGS="cinder-api cinder-scheduler cinder-volume cinder-backup nfs-common qemu-utils dmidecode"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [[ -n $missing ]]; then
  # Package postinsts try to start daemons (no systemd here): forbid that, as up.sh does.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  apt-get -o DPkg::Lock::Timeout=900 update -q
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $missing
fi
for p in $(seq 1 "$N"); do is_running "cloud$p-nova-api" || { echo "ERROR: cloud$p is not running; start the lab with up.sh first" >&2; exit 1; }; done
done_step

# ---------------------------------------------------------------- catalog
step "keystone: user cinder, volumev3 + block-storage endpoints"
$PY - "$N" "$PW" "${REGIONS[@]}" <<'EOF'
import sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
from keystoneclient.v3 import client
n, pw, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
auth = v3.Password(auth_url="http://127.0.0.1:5000/v3", username="admin", password=pw,
                   project_name="admin", user_domain_name="Default", project_domain_name="Default")
ks = client.Client(session=session.Session(auth=auth), interface="public")
def region(k): return names[k-1] if k <= len(names) else f"Region{k}"
services = {s.type: s for s in ks.services.list()}
def svc(type_, name):
    if type_ not in services:
        services[type_] = ks.services.create(name=name, type=type_)
    return services[type_]
# The names devstack gives them: cinderv3 for volumev3, cinder for block-storage.
svcs = [svc("volumev3", "cinderv3"), svc("block-storage", "cinder")]
eps = {(e.service_id, e.region_id, e.interface): e for e in ks.endpoints.list()}
for k in range(1, n + 1):
    r = region(k)
    url = f"http://127.0.0.1:{8776 + 1000 * (k - 1)}/v3/%(project_id)s"
    for s in svcs:
        for itf in ("public", "internal", "admin"):
            e = eps.get((s.id, r, itf))
            if e is None:
                ks.endpoints.create(service=s, url=url, interface=itf, region=r)
            elif e.url != url:
                ks.endpoints.update(e, url=url)
service = ks.projects.find(name="service")
roles = {x.name: x for x in ks.roles.list()}
users = {u.name: u for u in ks.users.list()}
u = users.get("cinder") or ks.users.create(name="cinder", domain="default", password=pw, default_project=service)
ks.roles.grant(roles["admin"], user=u, project=service)
ks.roles.grant(roles["service"], user=u, project=service)
print("    catalog ok:", ", ".join(region(k) for k in range(1, n + 1)))
EOF
done_step

# ---------------------------------------------------------------- cloudlets
for ((k = 1; k <= N; k++)); do
  R=$(region_of "$k"); C=cloud$k; OFF=$((1000 * (k - 1)))
  VPORT=$((8776 + OFF)); GPORT=$((9292 + OFF))
  CE=$ETC/$C/cinder; CL=$LAB/$C/cinder
  step "$C ($R): cinder :$VPORT (api, scheduler, volume/nfs on a local directory)"
  mkdir -p "$CE" "$CL/export" "$CL/mnt" "$CL/lock" "$CL/conversion" "$CL/backup"
  mariadb -e "CREATE DATABASE IF NOT EXISTS cinder_$k"
  SHARE=$(share_of "$k")
  echo "$SHARE" >"$CE/nfs_shares"
  MP=$(mount_point_of "$k")
  mkdir -p "$MP"
  is_mounted "$MP" || mount --bind "$CL/export" "$MP"
  auth_section() { # SECTION USER -> a keystoneauth password section pinned to this region
    printf '[%s]\nauth_type = password\nauth_url = %s\nproject_domain_name = Default\nuser_domain_name = Default\nproject_name = service\nusername = %s\npassword = %s\nregion_name = %s\n' \
      "$1" "$KS_URL" "$2" "$PW" "$R"
  }
  F=$CE/cinder.conf
  {
    cat <<EOF
[DEFAULT]
debug = false
host = $C
my_ip = 127.0.0.1
state_path = $CL
transport_url = rabbit://oslab:$PW@127.0.0.1:5672/$C
auth_strategy = keystone
api_paste_config = /etc/cinder/api-paste.ini
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $VPORT
osapi_volume_workers = 1
# Glance by URL: with glance_catalog_info Cinder takes the first image endpoint of the catalog,
# whatever its region.
glance_api_servers = http://127.0.0.1:$GPORT
image_conversion_dir = $CL/conversion
enabled_backends = nfs
default_volume_type = __DEFAULT__
storage_availability_zone = nova
# Backups as files in a local directory (the POSIX driver; the default is Swift, which the lab lacks).
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $CL/backup
[database]
connection = $(DBURL "cinder_$k")
[oslo_concurrency]
lock_path = $CL/lock
[oslo_messaging_notifications]
driver = noop
[coordination]
backend_url = file://$CL/lock
[nfs]
volume_driver = cinder.volume.drivers.nfs.NfsDriver
volume_backend_name = nfs
nfs_shares_config = $CE/nfs_shares
nfs_mount_point_base = $CL/mnt
nfs_sparsed_volumes = true
nfs_snapshot_support = true
# 'auto' turns secure file operations on for a new share, and then the driver refuses snapshots.
nas_secure_file_operations = false
nas_secure_file_permissions = false
EOF
    auth_section keystone_authtoken cinder
    printf 'www_authenticate_uri = %s\n' "$KS_URL"
    auth_section nova cinder
    printf 'interface = public\n'
    auth_section service_user cinder
    printf 'send_service_user_token = true\n'
  } >"$F"
  [[ -f $CL/.cinder_db ]] || { cinder-manage --config-file "$F" db sync >>"$LOG/$C-cinder-manage.log" 2>&1 && touch "$CL/.cinder_db"; }
  start_daemon "$C-cinder-api" /usr/bin/cinder-api --config-file "$F"
  start_daemon "$C-cinder-scheduler" /usr/bin/cinder-scheduler --config-file "$F"
  start_daemon "$C-cinder-volume" /usr/bin/cinder-volume --config-file "$F"
  start_daemon "$C-cinder-backup" /usr/bin/cinder-backup --config-file "$F"
  done_step
done

# ---------------------------------------------------------------- wait
step "wait for cinder-api and the volume services"
for ((k = 1; k <= N; k++)); do
  R=$(region_of "$k"); C=cloud$k
  wait_port 127.0.0.1 $((8776 + 1000 * (k - 1))) 120 "$C-cinder-api"
  # up = the scheduler, the nfs backend and backup reported in (cinder-manage reads the DB: no token needed)
  for ((i = 0; i < 90; i++)); do
    up=$(cinder-manage --config-file "$ETC/$C/cinder/cinder.conf" service list 2>/dev/null | awk '$5 == ":-)" {n++} END {print n + 0}')
    [[ $up -ge 3 ]] && break
    sleep 1
  done
  [[ $up -ge 3 ]] || { echo "ERROR: $C: cinder services not up; see $LOG/$C-cinder-volume.log" >&2; exit 1; }
  echo "    $R: cinder-scheduler, cinder-volume and cinder-backup up"
done
done_step

echo
echo "==> cinder on $N cloudlet(s) in $(awk -v a="$(date +%s.%N)" -v b="$T_ALL" 'BEGIN{printf "%.1f", a-b}')s"
for ((k = 1; k <= N; k++)); do
  printf '    %-12s cinder http://127.0.0.1:%d/v3  volumes in %s\n' "$(region_of "$k")" $((8776 + 1000 * (k - 1))) "$LAB/cloud$k/cinder/export"
done
