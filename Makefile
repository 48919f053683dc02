# Build and install presence-sim as one self-contained binary.
#
#   make install PREFIX=$HOME/.local      # or sudo make install (PREFIX=/usr/local)
#   make uninstall PREFIX=$HOME/.local
#
# The binary links the Swift runtime and Foundation statically (--static-swift-stdlib), so it runs on a
# machine without a Swift toolchain. Installed:
#   $(PREFIX)/bin/presence-sim
#   $(PREFIX)/share/presence-sim/Scenarios/        the bundled scenarios and FORMAT.md
#   $(PREFIX)/share/presence-sim/Scenarios/Schema/scenario.schema.json
#   shell completions for bash, zsh and fish under $(PREFIX)/share

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
# A build folder of its own: the static build's flags differ from `swift build`'s.
SCRATCH ?= .build-static

BIN := $(SCRATCH)/release/presence-sim
ROOT := $(DESTDIR)$(PREFIX)
DATA := $(ROOT)/share/presence-sim

.PHONY: release install uninstall

release:
	$(SWIFT) build -c release --static-swift-stdlib --product presence-sim --scratch-path $(SCRATCH)

install: release
	install -d "$(ROOT)/bin" "$(DATA)/Scenarios/Schema" "$(ROOT)/share/bash-completion/completions" \
		"$(ROOT)/share/zsh/site-functions" "$(ROOT)/share/fish/vendor_completions.d"
	install -m 755 "$(BIN)" "$(ROOT)/bin/presence-sim"
	install -m 644 Scenarios/*.json Scenarios/FORMAT.md "$(DATA)/Scenarios/"
	install -m 644 Scenarios/Schema/scenario.schema.json "$(DATA)/Scenarios/Schema/"
	"$(BIN)" --generate-completion-script bash > "$(ROOT)/share/bash-completion/completions/presence-sim"
	"$(BIN)" --generate-completion-script zsh > "$(ROOT)/share/zsh/site-functions/_presence-sim"
	"$(BIN)" --generate-completion-script fish > "$(ROOT)/share/fish/vendor_completions.d/presence-sim.fish"

uninstall:
	rm -f "$(ROOT)/bin/presence-sim" "$(ROOT)/share/bash-completion/completions/presence-sim" \
		"$(ROOT)/share/zsh/site-functions/_presence-sim" "$(ROOT)/share/fish/vendor_completions.d/presence-sim.fish"
	rm -rf "$(DATA)"
