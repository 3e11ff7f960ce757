# Build the module against the installed Debian nginx (nginx-dev), run the
# examples, run the tests.  ./setup.sh installs what these targets need.
#
#   make            build/ngx_http_js_function_module.so
#   make run        nginx in the foreground on 127.0.0.1:8080 (conf/nginx.conf)
#   make test       the whole test suite (t/)
#   make install    copy the module where the system nginx loads modules
#   make bench      the benchmark suite (bench/)
#   make fuzz       the engine's fuzz targets, 60 s each (fuzz/README.md)

NGX_SRC     ?= /usr/share/nginx/src
NGINX       ?= /usr/sbin/nginx
BUILD       := $(CURDIR)/build
NGX_BUILD   := $(BUILD)/nginx
MODULE      := $(BUILD)/ngx_http_js_function_module.so
MODULES_DIR ?= /usr/lib/nginx/modules
PROVE_JOBS  ?= 2

SOURCES := config config.make $(wildcard include/*.h ngx_module/*.[ch] \
                                        shim/*.cc shim/*.h shim/js/*.js \
                                        shim/Makefile shim/gen_runtime.sh)

all: $(MODULE)

$(NGX_BUILD)/objs/Makefile: config config.make $(NGX_SRC)/conf_flags
	rm -rf $(NGX_BUILD)
	mkdir -p $(BUILD)
	cp -r $(NGX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && bash -c '. ./conf_flags && ./configure \
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

install: $(MODULE)
	install -m 644 $(MODULE) $(MODULES_DIR)/

bench: $(MODULE)
	bench/run

fuzz:
	fuzz/run $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)/shim $(NGX_BUILD) $(MODULE)

.PHONY: all run test install bench fuzz clean
