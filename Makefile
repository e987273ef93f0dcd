# corsproof — the two commands a newcomer needs are `make demo` and `make test`.
GO ?= go
BIN := ./corsproof

.PHONY: all build demo test vet chromium firefox browsers bench fuzz fuzz-ci screenshot clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/corsproof

# chromium installs Debian's Chromium when no browser is on PATH.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
		{ echo "installing Debian's chromium"; sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium chromium-headless-shell; }

# firefox installs Debian's Firefox ESR (the second engine, --engine firefox)
# when none is on PATH.
firefox:
	@command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || \
		{ echo "installing Debian's firefox-esr"; sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq firefox-esr; }

# demo starts the built-in target API on loopback and runs the built-in suite.
demo: chromium build
	$(BIN) demo

vet:
	gofmt -l . | (! grep .) || { echo "gofmt wants changes"; exit 1; }
	$(GO) vet ./...

test: chromium vet
	$(GO) test -count=1 -timeout 15m ./...

# bench runs corsproof, the bare floor loops and both Playwright-core peers
# (bench/peer) side by side on the same 200 cases in three shapes (one
# origin; an origin and site per case; an origin per case on 20 sites),
# then times probe's cold start; bench/README.md explains every figure
# (about 20 minutes). More options: make bench BENCHFLAGS='-phases -scale'.
bench: chromium build
	@[ -d bench/peer/node_modules/playwright-core ] || (cd bench/peer && npm ci --no-audit --no-fund)
	$(GO) run ./bench/cmd/corsbench -corsproof $(BIN) -peer bench/peer $(BENCHFLAGS)

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 20s ./scenarios
	$(GO) test -run '^$$' -fuzz FuzzParsePolicy -fuzztime 20s ./policy

# fuzz-ci gives every parser and decoder of hostile input a few seconds of
# fuzzing on each CI run (.ci/run), on top of the seed corpora in each
# package's testdata/fuzz, which `make test` replays; a crasher found here
# lands in testdata/fuzz/ to keep as a regression case. .ci/fuzz tells a
# real crasher from the fuzzing engine's own spurious failures.
FUZZTIME ?= 1s
FUZZ_TARGETS := scenarios:FuzzParse scenarios:FuzzImportCurl scenarios:FuzzImportHAR \
	policy:FuzzParsePolicy proxy:FuzzProxy proxy:FuzzLogJSON result:FuzzDecode reports:FuzzSanitizeTerminal reports:FuzzShellQuote \
	ui:FuzzFormCase cors:FuzzClassifyFirefox
fuzz-ci:
	@GO=$(GO) bash .ci/fuzz $(FUZZTIME) $(FUZZ_TARGETS)
# --via NAME=URL[@ADDRESS] (scenarios.ParsePath).
FUZZ_TARGETS += scenarios:FuzzParsePath
# The copied fetch() importer, the header-list parsers and the CORS model
# itself, which read header values from hostile servers.
FUZZ_TARGETS += scenarios:FuzzImportFetch cors:FuzzParseHeaderList cors:FuzzParseExposeHeaders cors:FuzzPredict \
	compare:FuzzCompareDecoded scenarios:FuzzSelect cors:FuzzCacheURL

clean:
	rm -f $(BIN)

# browsers installs Debian's Chromium and headless shell and Firefox ESR,
# and unpacks Debian's Chromium 150 and Firefox ESR 140 (bookworm main;
# firefox-esr itself is 153 from bookworm-security) into ./browsers
# (git-ignored) for the version matrix. Nothing is downloaded from anywhere
# but Debian.
CHROMIUM_OLD := 150.0.7871.100-1~deb12u1
FIREFOX_OLD := 140.12.0esr-1~deb12u1
browsers: chromium firefox
	@if [ ! -x browsers/chromium-150/usr/lib/chromium/chromium ]; then \
		set -e; mkdir -p browsers/deb browsers/chromium-150; cd browsers/deb; \
		apt-get download chromium=$(CHROMIUM_OLD) chromium-common=$(CHROMIUM_OLD) 2>/dev/null || \
			{ apt-get update -qq && apt-get download chromium=$(CHROMIUM_OLD) chromium-common=$(CHROMIUM_OLD); }; \
		for d in *.deb; do dpkg -x $$d ../chromium-150; done; \
	fi
	@if [ ! -x browsers/firefox-140/usr/lib/firefox-esr/firefox-esr ]; then \
		set -e; mkdir -p browsers/deb browsers/firefox-140; cd browsers/deb; \
		apt-get download firefox-esr=$(FIREFOX_OLD) 2>/dev/null || \
			{ apt-get update -qq && apt-get download firefox-esr=$(FIREFOX_OLD); }; \
		dpkg -x firefox-esr_$(FIREFOX_OLD)_*.deb ../firefox-140; \
	fi
	@browsers/chromium-150/usr/lib/chromium/chromium --version 2>/dev/null || true
	@browsers/firefox-140/usr/lib/firefox-esr/firefox-esr --version 2>/dev/null || true
	@firefox-esr --version 2>/dev/null || true
	@/usr/lib/chromium/chromium --version 2>/dev/null || true
	@/usr/lib/chromium/chromium-headless-shell --version 2>/dev/null || true

# screenshot regenerates docs/report.png, the README's picture of the HTML
# report, from a real demo run, and docs/ui.png, the playground after a
# blocked run from its form (made by the ui package's test in Chromium).
screenshot: build
	mkdir -p out docs
	-$(BIN) demo -q --report html=out/report.html >/dev/null
	browser=$$(command -v chromium-headless-shell || echo /usr/lib/chromium/chromium-headless-shell); \
	profile=$$(mktemp -d); \
	$$browser --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir=$$profile --hide-scrollbars --window-size=1280,2300 \
		--screenshot=docs/report.png 'file://$(CURDIR)/out/report.html?open=case-7' 2>/dev/null; \
	rm -rf $$profile
	$(GO) test -count=1 ./ui -run '^TestScreenshot$$' -screenshot $(CURDIR)/docs/ui.png
