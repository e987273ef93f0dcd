# corsproof — the two commands a newcomer needs are `make demo` and `make test`.
GO ?= go
BIN := ./corsproof

.PHONY: all build demo test vet chromium browsers bench fuzz screenshot clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/corsproof

# chromium installs Debian's Chromium when no browser is on PATH.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
		{ echo "installing Debian's chromium"; sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium chromium-headless-shell; }

# demo starts the built-in target API on loopback and runs the built-in suite.
demo: chromium build
	$(BIN) demo

vet:
	gofmt -l . | (! grep .) || { echo "gofmt wants changes"; exit 1; }
	$(GO) vet ./...

test: chromium vet
	$(GO) test -count=1 -timeout 15m ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 20s ./scenarios
	$(GO) test -run '^$$' -fuzz FuzzParsePolicy -fuzztime 20s ./target

clean:
	rm -f $(BIN)
