# Build the module against the installed Debian nginx (nginx-dev), run the
# examples, run the tests.  ./setup.sh installs what these targets need.
#
#   make            build/ngx_http_js_function_module.so
#   make run        nginx in the foreground on 127.0.0.1:8080 (conf/nginx.conf)
#   make test       the whole test suite (t/)
#   make check-asan the test suite against a module built with ASan and UBSan
#                   (in build/asan/; README.md, "Sanitizers")
#   make install    copy the module where the system nginx loads modules
#   make bench      the benchmark suite (bench/)
#   make soak       a million mixed requests against one nginx (bench/soak)
#   make bench-fetch outbound fetch() against proxy_pass, njs, Lua, workerd
#                   (bench/fetch, under 5 minutes)
#   make bench-bundle first requests to a 890 KB Hono + zod bundle against a
#                   small function's, and workerd's (bench/bundle, ~1 minute)
#   make fuzz       the engine's fuzz targets, 60 s each (fuzz/README.md)

NGX_SRC     ?= /usr/share/nginx/src
NGINX       ?= /usr/sbin/nginx
BUILD       := $(CURDIR)/build
NGX_BUILD   := $(BUILD)/nginx
MODULE      := $(BUILD)/ngx_http_js_function_module.so
MODULES_DIR ?= /usr/lib/nginx/modules
PROVE_JOBS  ?= 2
# set by check-asan (with its own BUILD): -fsanitize=$(SANITIZE)
SANITIZE    :=
ASAN_BUILD  := $(BUILD)/asan
ASAN_TESTS  ?= t/
ASAN_PRELOAD = $(shell gcc -print-file-name=libasan.so) \
               $(shell gcc -print-file-name=libubsan.so)
# nginx and V8 keep memory until exit: no leak check
ASAN_OPTS   := detect_leaks=0:abort_on_error=1:halt_on_error=1:$\
               log_path=$(ASAN_BUILD)/reports/asan
UBSAN_OPTS  := print_stacktrace=1:abort_on_error=1:halt_on_error=1
SAN_REPORT  := runtime error: \|ERROR: [A-Za-z]*Sanitizer

SOURCES := config config.make $(wildcard include/*.h ngx_module/*.[ch] \
                                        shim/*.cc shim/*.h shim/js/*.js \
                                        shim/node/*.js shim/js/lib/*.js shim/Makefile shim/*.sh)

all: $(MODULE)

$(NGX_BUILD)/objs/Makefile: config config.make $(NGX_SRC)/conf_flags
	rm -rf $(NGX_BUILD)
	mkdir -p $(BUILD)
	cp -r $(NGX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && JSFN_SHIM_OUT=$(BUILD)/shim JSFN_SANITIZE=$(SANITIZE) \
	    bash -c '. ./conf_flags && ./configure \
	    "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module=$(CURDIR)' \
	    > $(BUILD)/configure.log 2>&1 \
	    || { tail -20 $(BUILD)/configure.log; exit 1; }

$(MODULE): $(NGX_BUILD)/objs/Makefile $(SOURCES)
	$(MAKE) -C $(NGX_BUILD) -f objs/Makefile modules
	@# a new file, not rewritten in place: a running nginx has it mapped
	cp $(NGX_BUILD)/objs/ngx_http_js_function_module.so $@.tmp
	mv -f $@.tmp $@

run: $(MODULE)
	mkdir -p $(BUILD)/run/logs
	@echo "serving conf/functions on http://127.0.0.1:8080 (Ctrl-C stops)"
	$(NGINX) -p $(CURDIR)/ -c conf/nginx.conf -e stderr -g 'daemon off;'

test: $(MODULE)
	@if command -v node >/dev/null; then node shim/js/test/run-node.js; \
	 else echo "node not found: skipping the JS runtime's unit tests"; fi
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	prove -I t/lib -j$(PROVE_JOBS) -r t/

# The module and the shim built with ASan and UBSan in build/asan/, then the
# suite against Debian's nginx with the runtimes preloaded (build/asan/
# nginx-asan: a wrapper that sets LD_PRELOAD and the options).  A report
# aborts the process, which fails its test ("exited on signal 6", or "nginx
# is gone" without a master).  ASan writes its reports to build/asan/
# reports/; UBSan (GCC's runtime ignores log_path beside ASan) writes to
# stderr, that is error.log, and the harness gathers every block's error.log
# in build/asan/error.log.  A report in either place fails the target.
check-asan:
	@[ -f "$(word 1,$(ASAN_PRELOAD))" ] || { echo "check-asan: no" \
	    "libasan.so for gcc (Debian: libasan8, from build-essential)"; exit 1; }
	@# VENDOR reaches the shim's make: the JS packages fetched once, in build/
	$(MAKE) BUILD=$(ASAN_BUILD) SANITIZE=address,undefined \
	    VENDOR=$(BUILD)/vendor all
	rm -rf $(ASAN_BUILD)/reports $(ASAN_BUILD)/error.log
	mkdir -p $(ASAN_BUILD)/reports
	{ echo '#!/bin/sh'; \
	  echo '# nginx with ASan and UBSan preloaded (make check-asan)'; \
	  echo 'export LD_PRELOAD="$(ASAN_PRELOAD)"'; \
	  echo 'export ASAN_OPTIONS="$(ASAN_OPTS)"'; \
	  echo 'export UBSAN_OPTIONS="$(UBSAN_OPTS)"'; \
	  echo 'exec $(NGINX) "$$@"'; } > $(ASAN_BUILD)/nginx-asan
	chmod +x $(ASAN_BUILD)/nginx-asan
	TEST_NGINX_BINARY=$(ASAN_BUILD)/nginx-asan \
	TEST_NGINX_LOAD_MODULES=$(ASAN_BUILD)/ngx_http_js_function_module.so \
	TEST_NGINX_ERROR_LOG=$(ASAN_BUILD)/error.log \
	prove -I t/lib -j$(PROVE_JOBS) -r $(ASAN_TESTS); rc=$$?; \
	for f in $(ASAN_BUILD)/reports/*; do \
	    [ -e "$$f" ] || continue; rc=1; echo "== $$f"; cat "$$f"; \
	done; \
	if grep -q "$(SAN_REPORT)" $(ASAN_BUILD)/error.log 2>/dev/null; then \
	    rc=1; echo "== in $(ASAN_BUILD)/error.log:"; \
	    grep -B2 -A20 "$(SAN_REPORT)" $(ASAN_BUILD)/error.log | head -300; \
	fi; \
	[ $$rc = 0 ] && echo "check-asan: no sanitizer report"; exit $$rc

install: $(MODULE)
	install -m 644 $(MODULE) $(MODULES_DIR)/

bench: $(MODULE)
	bench/run

soak: $(MODULE)
	bench/soak

bench-fetch: $(MODULE)
	bench/fetch

bench-bundle: $(MODULE)
	bench/bundle

fuzz:
	fuzz/run $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)/shim $(NGX_BUILD) $(MODULE) $(ASAN_BUILD)

.PHONY: all run test check-asan install bench bench-fetch bench-bundle soak fuzz \
        clean
