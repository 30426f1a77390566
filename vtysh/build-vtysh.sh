#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vtysh/build-vtysh.sh: the FRR side of building a vtysh that knows nhrpd's
# full grammar (see doc/vtysh.md).  Called by vtysh/subdir.am's rules; it
# never writes into our source tree.
#
#   build-vtysh.sh objects FRR_SRCDIR OUTDIR
#       Builds FRR's own vtysh objects (vtysh.o, vtysh_main.o, vtysh_user.o,
#       vtysh_config.o, plus the vtysh_clippy.c and vtysh_daemons.h they
#       need) in the configured FRR source tree with FRR's own Makefile,
#       i.e. with FRR's flags and config.h.  FRR's make does nothing when
#       they are up to date.  Copies them into OUTDIR (only when they
#       changed, so our link is not redone for nothing) and writes
#       OUTDIR/libs: the libraries FRR links vtysh with, minus libfrr.
#
#   build-vtysh.sh extract FRR_SRCDIR OUTFILE INCDIRS FILE...
#       Writes the vtysh command table (vtysh_cmd.c) with FRR's own
#       vtysh/extract.pl, over FRR's configured `vtysh_scan` list with FRR's
#       nhrpd/ files left out and FILE... (our nhrpd/*.c) added.  The command
#       group of each file comes from its directory name, as in FRR: our
#       nhrpd/ files become DEFSH(VTYSH_NHRPD, ...).  INCDIRS is a
#       colon-separated list of absolute directories searched first for
#       our files' includes (our build and source trees: the *_clippy.c
#       files they include are generated in the build tree).
#
#   build-vtysh.sh scan-list FRR_SRCDIR
#       Prints the FRR files (absolute paths) that `extract` scans.
set -euo pipefail

die() { echo "build-vtysh.sh: $*" >&2; exit 1; }

# A make that calls us passes its flags (-j jobserver, -n, V=1, ...) in the
# environment; FRR's Makefile is a separate build and gets none of them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

frr_objs="vtysh/vtysh_main.o vtysh/vtysh.o vtysh/vtysh_user.o vtysh/vtysh_config.o"

check_frr() {
	[ -n "$1" ] || die "no FRR source tree (FRR_SRCDIR is empty): run tools/frr-dev and configure again"
	if ! [ -f "$1/vtysh/vtysh.c" ] || ! [ -f "$1/Makefile" ] || ! [ -f "$1/config.h" ]; then
		die "$1 is not a configured FRR source tree"
	fi
	[ -f "$1/vtysh/extract.pl" ] || die "$1/vtysh/extract.pl missing (FRR configured without vtysh?)"
}

# print the value of a variable of FRR's configured Makefile
frr_var() {
	make -s --no-print-directory -C "$1" -f Makefile -f /dev/stdin "print-$2" <<'EOF'
print-%:
	@echo '$($*)'
EOF
}

# FRR's own vtysh_scan minus its nhrpd files, as absolute paths
scan_list() {
	local f
	for f in $(frr_var "$1" vtysh_scan); do
		case $f in
		nhrpd/*) ;;
		*) echo "$1/$f" ;;
		esac
	done
}

# One build at a time in the shared FRR tree (other checkouts, distcheck)
lock_frr() {
	exec 9>"$1/vtysh/.nhrpd-build-vtysh.lock"
	flock 9
}

cmd_objects() {
	local frr=$1 out=$2 o tmp
	check_frr "$frr"
	mkdir -p "$out"
	lock_frr "$frr"
	# shellcheck disable=SC2086
	make -s --no-print-directory -C "$frr" $frr_objs >"$out/frr-make.log" 2>&1 ||
		{ tail -30 "$out/frr-make.log" >&2; die "building FRR's vtysh objects failed (log: $out/frr-make.log)"; }
	for o in $frr_objs; do
		cmp -s "$frr/$o" "$out/${o#vtysh/}" || cp "$frr/$o" "$out/${o#vtysh/}"
	done
	# FRR links vtysh with $(vtysh_vtysh_LDADD) $(LIBS); libfrr is ours to add
	tmp=$( { frr_var "$frr" vtysh_vtysh_LDADD; frr_var "$frr" LIBS; } |
		tr ' ' '\n' | grep -v '\.la$' | awk 'NF && !seen[$0]++' | tr '\n' ' ')
	[ "$(cat "$out/libs" 2>/dev/null)" = "$tmp" ] || echo "$tmp" >"$out/libs"
}

cmd_extract() {
	local frr=$1 outfile=$2 incdirs=$3 f frr_files our_files=() opts=()
	shift 3
	check_frr "$frr"
	[ $# -gt 0 ] || die "extract: no nhrpd files given"
	for f in "$@"; do
		[ -f "$f" ] || die "extract: $f not found"
		case $f in
		*/nhrpd/*.c | nhrpd/*.c) ;;
		*) die "extract: $f is not under nhrpd/ (its directory decides VTYSH_NHRPD)" ;;
		esac
		our_files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
	done
	frr_files=$(scan_list "$frr")
	[ -n "$frr_files" ] || die "FRR's Makefile has no vtysh_scan list"
	# isisd files are scanned once per daemon built (isisd, fabricd)
	for f in HAVE_ISISD HAVE_FABRICD; do
		f=$(frr_var "$frr" "$f")
		[ -z "$f" ] || opts+=("$f")
	done

	# extract.pl preprocesses each file with `gcc -E -Ivtysh/.. -Ivtysh/../lib
	# -Ivtysh/../bgpd ...` relative to its working directory.  Run it in an
	# empty scratch directory, so those name nothing, and give the include
	# path through CPATH instead: our trees first (nhrpd/*_clippy.c and
	# nhrpd/*.h must be ours even if FRR's own nhrpd ever gets built in the
	# FRR tree), then the FRR tree as FRR's own Makefile would.
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/nhrpd-vtysh-extract.XXXXXX")
	trap 'rm -rf "${scratch:-}"' EXIT
	mkdir "$scratch/vtysh"
	# shellcheck disable=SC2086
	(cd "$scratch" &&
	 CPATH="$incdirs:$frr:$frr/lib:$frr/bgpd:$frr/bgpd/rfapi${CPATH:+:$CPATH}" \
	 perl "$frr/vtysh/extract.pl" $frr_files "${our_files[@]}" "${opts[@]}") \
		>"$scratch/vtysh_cmd.c" 2>"$scratch/extract.err" || {
		cat "$scratch/extract.err" >&2
		die "FRR's extract.pl failed"
	}
	# Two commands with the same C name: extract.pl keeps only one of them,
	# silently dropping the other from vtysh.  FRR 8.4's own list has none.
	if grep -q 'Duplicate CLI Function' "$scratch/extract.err"; then
		cat "$scratch/extract.err" >&2
		die "command name clash between our nhrpd files and FRR's (rename the *_cmd)"
	fi
	cat "$scratch/extract.err" >&2
	grep -q 'VTYSH_NHRPD' "$scratch/vtysh_cmd.c" || die "no nhrpd command was extracted"
	cp "$scratch/vtysh_cmd.c" "$outfile.tmp"
	mv -f "$outfile.tmp" "$outfile"
}

case ${1:-} in
objects) [ $# -eq 3 ] || die "usage: $0 objects FRR_SRCDIR OUTDIR"; cmd_objects "$2" "$3" ;;
extract) [ $# -ge 5 ] || die "usage: $0 extract FRR_SRCDIR OUTFILE INCDIRS FILE..."; shift; cmd_extract "$@" ;;
scan-list) [ $# -eq 2 ] || die "usage: $0 scan-list FRR_SRCDIR"; check_frr "$2"; scan_list "$2" ;;
*) die "usage: $0 objects|extract|scan-list ..." ;;
esac
