#!/bin/sh
# Manual step (not part of npm test): runs the conformance suite against the local vsftpd,
# anonymous with write rights in /up of a temp root. Needs root (vsftpd chroots anonymous
# sessions) and an "ftp" user. Usage: sh test/conformance/run-against-vsftpd.sh
set -eu
VSFTPD=${VSFTPD:-/usr/sbin/vsftpd}
work=$(mktemp -d /tmp/ftpgrid-vsftpd-XXXXXX)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/root/up" "$work/empty"
chmod 755 "$work" "$work/root" "$work/empty"
chown ftp:ftp "$work/root/up"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cat > "$work/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=$work/root
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_address=127.0.0.1
connect_from_port_20=NO
xferlog_enable=NO
dirmessage_enable=NO
use_localtime=NO
secure_chroot_dir=$work/empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
max_clients=50
max_per_ip=50
CONF
"$VSFTPD" "$work/vsftpd.conf" &
pid=$!
sleep 0.5
FTPGRID_CONFORMANCE_TARGET="127.0.0.1:$port:anonymous:conformance" FTPGRID_CONFORMANCE_DIR=/up \
  npx vitest run test/conformance "$@" || true
