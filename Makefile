# runlock — build, test, install, demo.
#
#   make              build ./build/runlock
#   make check        deps, unit tests, bats suites, containerd and podman suites,
#                     the nested suite (runlock inside a default Podman container),
#                     the unit and bats suites again under ASan+UBSan, lint
#   make static       build ./build/static/runlock: one file, libseccomp, yajl,
#                     libcap and glibc linked in (copy it into any image)
#   make nested       the suite nested in a Podman container with Podman's defaults
#   make demo         deps, build, run a busybox container
#   make install      PREFIX=/usr/local DESTDIR=
#   make fuzz         libFuzzer target for the config parser (clang), runs FUZZ_SECONDS
#   make clean

PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= gcc
FUZZ_SECONDS ?= 60
VERSION    := 0.1.0
COMMIT     := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKGS       := libseccomp yajl libcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN       := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS     ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) \
              -DRUNLOCK_VERSION='"$(VERSION)"' -DRUNLOCK_COMMIT='"$(COMMIT)"' -MMD -MP
LDLIBS     := $(PKG_LIBS) -pthread

SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS   := $(filter-out runtime/cli/main.c,$(wildcard common/*.c oci/*.c runtime/*/*.c shim/*/*.c hooks/*.c))
MAIN_SRCS  := runtime/cli/main.c
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
HELPER_SRCS:= $(wildcard tests/helpers/*.c)

# $(call objs,BUILDDIR,SRCS)
objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all deps demo check unit integration clients san san-unit san-integration lint format \
        install clean fuzz rootfs helpers bench static nested
all: $(BUILD)/runlock

deps:
	@contrib/install-deps.sh

# The commit is compiled into main.o: rebuild it when HEAD moves.
COMMIT_STAMP := $(BUILD)/commit.stamp
$(shell mkdir -p $(BUILD); echo '$(COMMIT)' | cmp -s - $(COMMIT_STAMP) 2>/dev/null || echo '$(COMMIT)' > $(COMMIT_STAMP))
$(BUILD)/obj/runtime/cli/main.o $(BUILD)/san/obj/runtime/cli/main.o: $(COMMIT_STAMP)

# ---- normal build --------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/runlock: $(call objs,$(BUILD),$(LIB_SRCS) $(MAIN_SRCS))
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(call objs,$(BUILD),$(LIB_SRCS))
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# ---- static build: the same objects, every library linked in -----------
# Debian ships libseccomp.a, libcap.a and yajl's static archive as
# libyajl_s.a (libseccomp-dev, libcap-dev, libyajl-dev). The binary runs in
# any x86_64 image, with no library of its own (tests/nested/ uses it).
STATIC_LIBS := -lseccomp -l:libyajl_s.a -lcap -pthread
$(BUILD)/static/runlock: $(call objs,$(BUILD),$(LIB_SRCS) $(MAIN_SRCS))
	@mkdir -p $(dir $@)
	@echo "  LD      $@ (static)"
	@$(CC) $(ALL_CFLAGS) -static -o $@ $^ $(STATIC_LIBS)

static: $(BUILD)/static/runlock

# ---- sanitizer build (same sources, own object tree) ---------------------
SAN := $(BUILD)/san
$(SAN)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(SAN)/runlock: $(call objs,$(SAN),$(LIB_SRCS) $(MAIN_SRCS))
	@echo "  LD san  $@"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(SAN)/tests/%: $(SAN)/obj/tests/unit/%.o $(call objs,$(SAN),$(LIB_SRCS))
	@mkdir -p $(dir $@)
	@echo "  LD san  $@"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

# ---- test helpers: static, so they also run inside a busybox rootfs ------
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (static)"
	@$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $<

HELPERS    := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(HELPER_SRCS))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
SAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN)/tests/%,$(UNIT_SRCS))
ROOTFS     := $(BUILD)/rootfs/busybox
PYROOT     := $(BUILD)/rootfs/python

helpers: $(HELPERS)

rootfs: $(HELPERS)
	@tests/rootfs/build-busybox.sh $(ROOTFS) $(BUILD)/helpers
	@tests/rootfs/build-python.sh $(PYROOT) $(ROOTFS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

san-unit: $(SAN_UNIT_BINS)
	@set -e; for t in $(SAN_UNIT_BINS); do echo "== $$t (asan+ubsan)"; $$t; done

BATS_ENV = RUNLOCK_BUILD=$(abspath $(BUILD)) RUNLOCK_ROOTFS=$(abspath $(ROOTFS)) \
           RUNLOCK_PYROOT=$(abspath $(PYROOT)) \
           RUNLOCK_HELPERS=$(abspath $(BUILD)/helpers)

integration: $(BUILD)/runlock rootfs
	$(BATS_ENV) RUNLOCK=$(abspath $(BUILD)/runlock) bats -r --print-output-on-failure tests/integration

# Reports also land in files, so those of the supervisor, agent and spawner
# (stdio on /dev/null) are seen: any report fails the run.
SAN_LOGS := $(abspath $(SAN))/logs
san-integration: $(SAN)/runlock rootfs
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	$(BATS_ENV) RUNLOCK=$(abspath $(SAN)/runlock) RUNLOCK_RACE_TRIES=5000 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(SAN_LOGS)/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SAN_LOGS)/ubsan \
	  bats -r --print-output-on-failure tests/integration
	@if ls $(SAN_LOGS)/* >/dev/null 2>&1; then \
	  echo "sanitizer reports:"; cat $(SAN_LOGS)/*; exit 1; fi

# The real clients: a private containerd driven with ctr, and podman with
# private storage (they install containerd, podman and conmon when missing,
# and skip, saying why, only if the packages cannot be installed).
clients: $(BUILD)/runlock rootfs
	@contrib/install-deps.sh containerd podman conmon uidmap || echo "clients: packages missing; the suites skip"
	$(BATS_ENV) RUNLOCK=$(abspath $(BUILD)/runlock) bats --print-output-on-failure tests/clients

san: $(SAN)/runlock

LINT_SRCS = $(wildcard common/*.[ch] oci/*.[ch] runtime/*/*.[ch] shim/*/*.[ch] hooks/*.[ch] \
              tests/unit/*.[ch] tests/helpers/*.[ch] bench/*.[ch])

# The layering check reads the objects' symbols (call circles): build first.
lint: $(BUILD)/runlock
	tests/lint/layering.sh $(BUILD)/obj
	clang-format --dry-run -Werror $(LINT_SRCS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --inline-suppr --std=c11 -I. -D__GNUC__ -D_GNU_SOURCE \
	  --suppress=missingIncludeSystem common oci runtime shim hooks

format:
	clang-format -i $(LINT_SRCS)

# runlock inside a Podman container with Podman's default capabilities and
# seccomp profile, runc outside (issue 13): the CI-job case. The outer image
# is built from the fixtures and the static runlock (tests/nested/).
nested: $(BUILD)/runlock $(BUILD)/static/runlock rootfs
	@contrib/install-deps.sh podman conmon runc || echo "nested: packages missing; the suite skips"
	$(BATS_ENV) RUNLOCK=$(abspath $(BUILD)/runlock) RUNLOCK_STATIC=$(abspath $(BUILD)/static/runlock) \
	  bats --print-output-on-failure tests/nested

check: deps
	$(MAKE) all unit
	$(MAKE) integration
	$(MAKE) clients
	$(MAKE) nested
	$(MAKE) san-unit
	$(MAKE) san-integration
	$(MAKE) lint
	@echo "make check: all passed"

demo: deps
	$(MAKE) all rootfs
	@tests/rootfs/demo.sh $(abspath $(BUILD)/runlock) $(abspath $(ROOTFS))

# ---- fuzzing -------------------------------------------------------------
# -fno-sanitize-recover: a UBSan finding must stop the run like an ASan one.
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -I. $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all
$(BUILD)/fuzz/fuzz_config: tests/unit/fuzz_config.c $(wildcard oci/*.[ch] common/*.[ch])
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ tests/unit/fuzz_config.c $(wildcard oci/*.c common/*.c) $(LDLIBS)

fuzz: deps $(BUILD)/fuzz/fuzz_config
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(BUILD)/fuzz/corpus tests/unit/corpus

# ---- install -------------------------------------------------------------
install: $(BUILD)/runlock
	install -D -m 0755 $(BUILD)/runlock $(DESTDIR)$(PREFIX)/bin/runlock
	@if [ -f docs/runlock.8 ]; then install -D -m 0644 docs/runlock.8 $(DESTDIR)$(PREFIX)/share/man/man8/runlock.8; fi
	@for f in $$(find contrib/containerd contrib/podman contrib/ci -type f 2>/dev/null); do \
	  install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/runlock/$$f; done

bench: $(BUILD)/runlock rootfs
	@bench/run.sh $(abspath $(BUILD)/runlock) $(abspath $(ROOTFS))
	@bench/limits.sh $(abspath $(BUILD)/runlock) $(abspath $(PYROOT))

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
