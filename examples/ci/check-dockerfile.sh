#!/usr/bin/env bash
# check-dockerfile.sh: an offline substitute for
#   docker build -f examples/ci/Dockerfile -t corsproof .
#   docker run --rm --network none --shm-size=512m corsproof demo
# on a Debian machine without a Docker engine or registry access. It reads
# the Dockerfile and carries out its instructions, not a copy of them:
#   - the build stage's RUN lines run on this machine with its Go (in the
#     checkout, /out/ mapped to a scratch directory), not in golang:1.26;
#   - the runtime stage starts from a debootstrap'd bookworm minbase made
#     to look like debian:bookworm-slim (its apt sources, its dpkg path
#     excludes and apt settings), its RUN lines run in a chroot of it with
#     /proc mounted, COPY --from takes the build stage's output, and USER,
#     WORKDIR and ENV are kept as Docker keeps them;
#   - then, in a network namespace with only loopback, the ENTRYPOINT runs
#     as the image's USER with /dev/shm a 512 MiB tmpfs: `demo` with
#     CORSPROOF_BROWSER as the Dockerfile sets it and with --browser
#     /usr/lib/chromium/chromium-headless-shell, and `probe` of an allowed
#     and a blocked route of `corsproof serve` with each browser. Each must
#     exit 0. Nothing may be written outside the user's home and /tmp.
# It prints the runtime root file system's size (du), i.e. the image's
# uncompressed size. Not checked: the golang image itself, Docker's layers
# and cache, .dockerignore, seccomp and the capabilities a real runtime
# drops (the runs are unprivileged through the USER only).
#
# Usage: sudo examples/ci/check-dockerfile.sh
# Needs root, debootstrap, go, unshare and ip, and reaches the Debian
# mirror (DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR) and the Go module proxy.
# KEEP=1 leaves the root file system for inspection (it prints where).
# Takes a few minutes, mostly debootstrap and apt-get; not part of CI.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dockerfile=${DOCKERFILE:-$repo/examples/ci/Dockerfile}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "check-dockerfile: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount, unshare)"
for tool in debootstrap go unshare ip chroot mountpoint findmnt; do
	command -v "$tool" >/dev/null || die "needs $tool on PATH"
done
[ -f "$dockerfile" ] || die "no Dockerfile at $dockerfile"

work=$(mktemp -d /tmp/check-dockerfile.XXXXXX)
root=$work/rootfs
ns=check-dockerfile-$$ # the runs' network namespace: loopback only
mkdir -p "$root" "$work/out"

unmount_all() {
	local m
	for m in "$root/dev/shm" "$root/proc"; do
		if mountpoint -q "$m" 2>/dev/null; then umount "$m" || umount -l "$m"; fi
	done
}
cleanup() {
	unmount_all
	if ip netns list | grep -qw "$ns"; then ip netns del "$ns"; fi
	if [ -n "${KEEP:-}" ]; then
		echo "check-dockerfile: root file system kept in $root" >&2
	elif findmnt -rn -o TARGET | grep -q "^$work"; then
		# never remove a tree with /proc or /dev/shm still mounted in it
		echo "check-dockerfile: $work still has mounts; not removed" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# --- read the Dockerfile: continuation lines joined, comments dropped ---
mapfile -t lines < <(sed -e '/^[[:space:]]*#/d' "$dockerfile" |
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | sed -e '/^[[:space:]]*$/d')
stage=0
build_stage_lines=()
runtime_lines=()
for l in "${lines[@]}"; do
	case "$l" in FROM\ *) stage=$((stage + 1)) ;; esac
	case $stage in
	1) build_stage_lines+=("$l") ;;
	2) runtime_lines+=("$l") ;;
	*) die "this check knows two stages (build, runtime); the Dockerfile has more" ;;
	esac
done
[ $stage = 2 ] || die "want a build stage and a runtime stage, found $stage stage(s)"
read -r _ build_image _ build_name <<<"${build_stage_lines[0]}"
read -r _ runtime_image <<<"${runtime_lines[0]}"
[ "$runtime_image" = debian:bookworm-slim ] ||
	die "the runtime stage is FROM $runtime_image; this check builds only debian:bookworm-slim"

# --- build stage: its RUN lines, on this machine, in the checkout ---
echo "== build stage ($build_image, here: $(go version))"
for l in "${build_stage_lines[@]:1}"; do
	case "$l" in
	WORKDIR\ * | COPY\ *) ;; # the checkout is the build context
	RUN\ *)
		cmd=${l#RUN }
		cmd=${cmd//\/out\//$work/out/}
		echo "+ $cmd"
		(cd "$repo" && sh -c "$cmd")
		;;
	*) die "build stage: unsupported instruction: $l" ;;
	esac
done

# --- runtime stage: a debian:bookworm-slim lookalike ---
echo "== runtime stage: debootstrap bookworm minbase from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# what the official image adds to a debootstrap (debuerreotype, slimify)
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb \
	"$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
echo "base: $(du -sxm "$root" | cut -f1) MB"

# Docker's environment for RUN and for the container: PATH, HOME of USER,
# then the Dockerfile's ENV.
user=0:0
workdir=/
netns= # RUN lines have the host's network, the runs none
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME=check-dockerfile)
entrypoint=
home_of() { # uid -> home directory from the root file system's passwd
	awk -F: -v u="$1" '$3 == u { print $6; found = 1 } END { if (!found) print "/" }' "$root/etc/passwd"
}
uid_of() { # USER's name or number -> uid:gid
	local u=${1%%:*} g=${1#*:} uid gid
	[ "$g" = "$1" ] && g=
	if [[ $u =~ ^[0-9]+$ ]]; then uid=$u; else uid=$(awk -F: -v n="$u" '$1 == n { print $3 }' "$root/etc/passwd"); fi
	[ -n "$uid" ] || die "USER $1: no such user in the image"
	if [ -z "$g" ]; then gid=$(awk -F: -v u="$uid" '$3 == u { print $4 }' "$root/etc/passwd"); gid=${gid:-0}
	elif [[ $g =~ ^[0-9]+$ ]]; then gid=$g; else gid=$(awk -F: -v n="$g" '$1 == n { print $3 }' "$root/etc/group"); fi
	echo "$uid:$gid"
}
in_root() { # run a command in the chroot as USER, in WORKDIR, with the env
	$netns env -i "${envs[@]}" HOME="$(home_of "${user%%:*}")" \
		chroot --userspec="$user" "$root" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@"
}

mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf" # Docker provides one while building
for l in "${runtime_lines[@]:1}"; do
	case "$l" in
	RUN\ *)
		echo "+ ${l#RUN }"
		in_root /bin/sh -c "${l#RUN }"
		;;
	COPY\ --from=*)
		read -r _ from src dst <<<"$l"
		[ "${from#--from=}" = "$build_name" ] || die "COPY $from: not the build stage ($build_name)"
		case "$src" in /out/*) ;; *) die "COPY --from: only /out/... is mapped, not $src" ;; esac
		echo "+ COPY $src -> $dst"
		install -D -m 0755 "$work/out/${src#/out/}" "$root$dst"
		;;
	USER\ *) user=$(uid_of "${l#USER }") ;;
	WORKDIR\ *) workdir=${l#WORKDIR }; mkdir -p "$root$workdir" ;;
	ENV\ *)
		read -ra words <<<"${l#ENV }"
		if [[ ${words[0]} == *=* ]]; then envs+=("${words[@]}"); else envs+=("${words[0]}=${words[*]:1}"); fi
		;;
	ENTRYPOINT\ *)
		entrypoint=$(sed -nE 's/^ENTRYPOINT \["([^"]+)"\]$/\1/p' <<<"$l")
		[ -n "$entrypoint" ] || die "only a one-word exec-form ENTRYPOINT is supported: $l"
		;;
	CMD\ *) ;;
	*) die "runtime stage: unsupported instruction: $l" ;;
	esac
done
rm -f "$root/etc/resolv.conf"
umount "$root/proc"
size=$(du -sxm "$root" | cut -f1)
echo "runtime root file system: $size MB (du -sxm)"

# --- run it: loopback only, as USER, /dev/shm as --shm-size=512m ---
[ -n "$entrypoint" ] || die "the runtime stage has no ENTRYPOINT"
[ "${user%%:*}" != 0 ] || echo "note: the image runs as root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o size=512m,mode=1777 shm "$root/dev/shm"
marker=$work/marker
touch "$marker"
sleep 1 # mtimes after the marker are the runs' own

ip netns add "$ns"
ip -n "$ns" link set lo up
netns="ip netns exec $ns"

checks() {
	local fails=0 b serve
	report() { if [ "$1" = 0 ]; then echo "ok   $2"; else echo "FAIL $2 (exit $1)"; fails=$((fails + 1)); fi; }
	in_root "$entrypoint" demo >"$work/demo.out" 2>&1; report $? "demo (CORSPROOF_BROWSER from the Dockerfile)"
	grep 'cases:' "$work/demo.out" || tail -5 "$work/demo.out"
	in_root "$entrypoint" demo --browser /usr/lib/chromium/chromium-headless-shell >"$work/demo2.out" 2>&1
	report $? "demo --browser /usr/lib/chromium/chromium-headless-shell"
	grep 'cases:' "$work/demo2.out" || tail -5 "$work/demo2.out"
	in_root "$entrypoint" serve -q --addr 127.0.0.1:8080 >"$work/serve.out" 2>&1 &
	serve=$!
	for _ in $(seq 100); do $netns bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break; sleep 0.1; done
	for b in "" /usr/lib/chromium/chromium-headless-shell; do
		in_root "$entrypoint" probe http://127.0.0.1:8080/api/allowlist --origin https://app.example.test \
			--expect allowed ${b:+--browser "$b"} >"$work/probe.out" 2>&1
		report $? "probe of an allowed route${b:+ --browser $b}"
		in_root "$entrypoint" probe http://127.0.0.1:8080/api/no-cors --origin https://app.example.test \
			--expect blocked ${b:+--browser "$b"} >"$work/probe.out" 2>&1
		report $? "probe of a blocked route${b:+ --browser $b}"
	done
	kill "$serve"
	wait "$serve" 2>/dev/null || true
	return $fails
}
set +e
(checks)
fails=$?
set -e

home=$(home_of "${user%%:*}")
written=$(find "$root" -xdev \( -newer "$marker" -o -cnewer "$marker" \) \
	! -path "$root/tmp" ! -path "$root/tmp/*" ! -path "$root$home" ! -path "$root$home/*")
if [ -n "$written" ]; then
	echo "FAIL written outside $home and /tmp:"; sed "s|^$root||" <<<"$written"
	fails=$((fails + 1))
else
	echo "ok   nothing written outside $home and /tmp"
fi
unmount_all
echo "runtime root file system: $size MB; $fails check(s) failed"
[ $fails = 0 ]
