#!/usr/bin/env bash
# Makes the certificates that authenticate fedstack nodes to each other
# (docs/deploying.md, "Certificates"), with the openssl command-line tool.
#
#   fedstack-certs.sh init   DIR            the federation CA: DIR/ca.key, DIR/ca.crt
#   fedstack-certs.sh node   DIR NAME IP REGION   an agent's node: DIR/NAME.key, DIR/NAME.crt
#   fedstack-certs.sh client DIR NAME             an operator's introspection commands: likewise
#
# A node certificate names the cloudlet its agent serves (subjectAltName
# URI urn:fedstack:cloudlet:REGION, REGION being the agent's --region): a
# peer may then change copies, report capacity and announce itself only for
# that cloudlet. A client certificate names urn:fedstack:operator: read-only.
#
# Keys are EC P-256, signatures ECDSA with SHA-256. The CA is valid for
# CA_DAYS (default 3650), node and client certificates for DAYS (default 825).
# Keys are written with mode 0600, and no file is ever overwritten. Keep
# ca.key off the nodes: whoever holds it can make members of the federation.
set -euo pipefail

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

fail() {
  echo "fedstack-certs: $*" >&2
  exit 1
}

command -v openssl > /dev/null || fail "the openssl command is missing (Debian package 'openssl')"

ca_days="${CA_DAYS:-3650}"
days="${DAYS:-825}"

# Refuses to overwrite anything: a second CA or a replaced key silently
# splits a federation.
fresh() {
  for f in "$@"; do
    [ ! -e "$f" ] || fail "$f exists; remove it first if you mean to replace it"
  done
}

new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
     -pkeyopt ec_param_enc:named_curve -out "$1" 2> /dev/null) || fail "cannot write $1"
  chmod 600 "$1"
}

# issue DIR NAME EXTENSIONS: a certificate for DIR/NAME.key signed by the CA.
issue() {
  local dir="$1" name="$2" extensions="$3" work
  [ -f "$dir/ca.key" ] && [ -f "$dir/ca.crt" ] || fail "no CA in $dir: run '$0 init $dir' first"
  [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || fail "NAME '$name': letters, digits, . _ - only"
  [ "$name" != ca ] || fail "NAME 'ca' is the CA's"
  fresh "$dir/$name.key" "$dir/$name.crt"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  printf '%s\n' "$extensions" > "$work/ext.cnf"
  new_key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/O=fedstack federation/CN=$name" \
    -out "$work/req.csr"
  # A random serial: no serial file to keep beside the CA.
  openssl x509 -req -in "$work/req.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$work/ext.cnf" -extensions ext -out "$dir/$name.crt" 2> "$work/err" \
    || { cat "$work/err" >&2; rm -f "$dir/$name.key"; fail "cannot sign $name"; }
  chmod 644 "$dir/$name.crt"
  openssl verify -CAfile "$dir/ca.crt" "$dir/$name.crt" > /dev/null \
    || fail "$dir/$name.crt does not verify against $dir/ca.crt"
  echo "fedstack-certs: $dir/$name.crt and $dir/$name.key (valid $days days)"
}

[ $# -ge 2 ] || usage
cmd="$1"
dir="$2"
case "$cmd" in
  init)
    [ $# -eq 2 ] || usage
    mkdir -p "$dir"
    fresh "$dir/ca.key" "$dir/ca.crt"
    new_key "$dir/ca.key"
    openssl req -new -x509 -key "$dir/ca.key" -sha256 -days "$ca_days" \
      -subj "/O=fedstack federation/CN=fedstack federation CA" \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash" \
      -out "$dir/ca.crt"
    chmod 644 "$dir/ca.crt"
    echo "fedstack-certs: CA $dir/ca.crt and $dir/ca.key (valid $ca_days days; keep ca.key safe)"
    ;;
  node)
    [ $# -eq 5 ] || usage
    ip="$4"
    region="$5"
    [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || fail "IP '$ip': a dotted IPv4 address (the agent's --node-address)"
    [[ "$region" =~ ^[A-Za-z0-9._~-]+$ ]] || fail "REGION '$region': letters, digits, . _ ~ - only (the agent's --region)"
    # A node accepts connections (serverAuth) and opens them (clientAuth).
    issue "$dir" "$3" "[ext]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:$ip,URI:urn:fedstack:cloudlet:$region
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
    ;;
  client)
    [ $# -eq 3 ] || usage
    issue "$dir" "$3" "[ext]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:urn:fedstack:operator
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
    ;;
  *)
    usage
    ;;
esac
