# CHATSPOT — the two commands a newcomer needs are `make dev` and `make test`.
# Pure Go build: the embedded SQLite is modernc.org/sqlite, no C compiler needed.
export CGO_ENABLED := 0

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/chatspot/chatspot/internal/cli.version=$(VERSION)

.PHONY: dev build web extension test test-clock e2e lint bench clean readme

## dev: build the UI and the binary, then run everything in one process
dev: build
	./bin/chatspot dev

## build: the single chatspot binary, with the UI (and the LinkedIn
## extension) embedded
build: web extension
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/chatspot ./cmd/chatspot

## web: install the UI's packages and build it into web/dist (embedded by go build)
web:
	cd web && npm ci --no-audit --no-fund && npm run build

## extension: the LinkedIn capture extension, unpacked in bin/extension/linkedin
## (chrome://extensions › Developer mode › Load unpacked); the server also
## hands it out zipped at /downloads/chatspot-linkedin.zip
extension:
	rm -rf bin/extension && mkdir -p bin/extension && cp -r extension/linkedin bin/extension/linkedin
	@echo "LinkedIn extension: bin/extension/linkedin (id fkhoahfemdmpmhjiomhbikigbfgfoeep)"

## test: the whole suite: UI unit tests, Go tests (with the built UI embedded),
## then the browser end-to-end test in Debian's Chromium (/usr/bin/chromium);
## set CHATSPOT_TEST_POSTGRES to a DSN to add the PostgreSQL leg
test: build
	cd web && npm test
	$(GO) test -count=1 ./...
	cd web && CHATSPOT_BIN=$(CURDIR)/bin/chatspot npm run e2e

## test-clock: the Go suite and the UI's Vitest tests with the clock moved a
## year ahead to 23:55 in São Paulo (TZ=America/Sao_Paulo); needs faketime
test-clock: build
	bash .ci/shifted-clock

## e2e: only the browser end-to-end test (agent UI + webchat widget)
e2e: build
	cd web && CHATSPOT_BIN=$(CURDIR)/bin/chatspot npm run e2e

## lint: gofmt, go vet, and go.mod/go.sum tidy
lint:
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin

## readme: refresh the README's configuration table from `chatspot config`
readme: build
	@python3 -c "import re,subprocess;t=subprocess.check_output(['./bin/chatspot','config']).decode().rstrip();s=open('README.md').read();open('README.md','w').write(re.sub(r'<!-- config:start -->.*?<!-- config:end -->','<!-- config:start -->\n'+t+'\n<!-- config:end -->',s,flags=re.S))"

## bench: throughput and latency of the main paths on the embedded stack, with a bare baseline
bench:
	$(GO) run ./internal/bench -out bench-results.json
