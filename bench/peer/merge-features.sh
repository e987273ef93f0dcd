#!/bin/sh
# merge-features.sh execs $PEER_BROWSER with every --disable-features value
# merged into one switch. Playwright passes its own --disable-features list
# and the peer adds LocalNetworkAccessChecks after it; Chromium keeps only
# the last switch of a name, which would silently drop Playwright's list.
# exec replaces this shell, so no extra process stays in the tree.
if [ -z "$PEER_BROWSER" ]; then
	echo "merge-features.sh: PEER_BROWSER is not set" >&2
	exit 2
fi
features=""
for arg; do
	shift
	case $arg in
	--disable-features=*) features="$features,${arg#--disable-features=}" ;;
	*) set -- "$@" "$arg" ;;
	esac
done
if [ -n "$features" ]; then
	set -- "$@" "--disable-features=${features#,}"
fi
exec "$PEER_BROWSER" "$@"
