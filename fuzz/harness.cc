/*
 * harness.cc: the fake host and the engine's lifetime for the fuzz targets
 * (see harness.h).  Everything runs on libFuzzer's thread, which is also
 * the thread the engine's CPU watchdog measures.
 */

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include "harness.h"


namespace fuzz {

namespace {

const uint64_t  cpu_limit_ms_default = 5000;

struct State {
    std::string                     dir;          /* temp dir with the JS */
    std::string                     path;
    jsfn_isolate_t                 *iso = nullptr;
    jsfn_call_t                    *call = nullptr;
    jsfn_isolate_conf_t             conf{};
    uint64_t                        cpu_limit_us = 0;
    bool                            verbose = false;
    bool                            done = false;
    bool                            tampered = false;  /* built-ins changed */
    bool                            again = false;     /* call once more */
    bool                            squeezed = false;  /* budget used up */
    std::map<uint32_t, uint64_t>    timers;       /* id -> ms */
    std::string                     expected;
    std::string                     skip;         /* ",a,b," */
    std::string                     env_heap_max;
    std::vector<jsfn_str_t>         env;          /* name, value, ... */
};

State  st;

void CheckLimits(int rc, const jsfn_err_t *err);


void
Log(void *host, int level, const char *msg, size_t len)
{
    std::string  s(msg, len);

    if (st.verbose) {
        fprintf(stderr, "console[%d]: %s\n", level, s.c_str());
    }

    if (s.compare(0, 9, "FUZZ-BUG ") == 0) {
        Bug("%s", s.c_str() + 9);
    }

    if (s.compare(0, 12, "FUZZ-EXPECT ") == 0) {
        st.expected = s.substr(12);

    } else if (s == "FUZZ-COV") {
        JsCoverage();

    } else if (s == "FUZZ-TAMPER") {
        st.tampered = true;

    } else if (s == "FUZZ-RESTORED") {
        st.tampered = false;

    } else if (s == "FUZZ-AGAIN") {
        st.again = true;

    } else if (s == "FUZZ-SQUEEZE") {
        st.squeezed = true;
    }
}


/* timers are kept, and fired after the call returns: never from here */
int
TimerStart(void *host, uint32_t id, uint64_t ms)
{
    st.timers[id] = ms;
    return 0;
}


void
TimerStop(void *host, uint32_t id)
{
    st.timers.erase(id);
}


void
CallDone(void *call_host)
{
    st.done = true;
}


const jsfn_host_t  host = { Log, TimerStart, TimerStop, CallDone, nullptr,
    nullptr, nullptr, nullptr /* kv */ };


void
Cleanup()
{
    if (!st.path.empty()) {
        unlink(st.path.c_str());
        rmdir(st.dir.c_str());
        st.path.clear();
    }
}


/*
 * At exit: the engine must be shut down, or the CPU watchdog's joinable
 * std::thread ends the process in std::terminate (limits.cc).
 */
void
Exit()
{
    jsfn_call_free(st.call);
    st.call = nullptr;

    if (st.iso != nullptr) {
        jsfn_isolate_free(st.iso);
        st.iso = nullptr;
    }

    jsfn_engine_shutdown();
    Cleanup();
}


/* the timer due first, as the host's event loop would fire it */
void
FireTimer()
{
    jsfn_err_t  err;

    auto first = std::min_element(st.timers.begin(), st.timers.end(),
        [](const std::pair<const uint32_t, uint64_t> &a,
           const std::pair<const uint32_t, uint64_t> &b) {
            return a.second < b.second;
        });
    uint32_t  id = first->first;

    st.timers.erase(first);

    CheckLimits(jsfn_timer_fire(st.iso, id, &err), &err);
}


void
NewIsolate()
{
    jsfn_err_t  err;

    st.timers.clear();

    if (jsfn_isolate_new(&st.conf, st.path.c_str(), nullptr, &st.iso, &err)
        != JSFN_OK)
    {
        Bug("cannot create the isolate: %s", err.msg);
    }
}


/* a limit reached by a small input is a finding; anything else unexpected */
/* what a squeezed isolate may answer: out of memory, as an error code */
bool
SqueezedCode(int rc)
{
    return st.squeezed && (rc == JSFN_ERR_HEAP
#ifdef JSFN_ERR_BODY
                           || rc == JSFN_ERR_BODY
#endif
                           );
}


void
CheckLimits(int rc, const jsfn_err_t *err)
{
    if (SqueezedCode(rc)) {
        return;
    }

    if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
        Bug("limit reached (%s): %s", rc == JSFN_ERR_TIMEOUT
            ? "cpu" : "heap", err->msg);
    }

    if (rc == JSFN_ERR_NOMEM || rc == JSFN_ERR_ARG || rc == JSFN_ERR_LOAD
        || rc == JSFN_ERR_NOTFOUND)
    {
        Bug("engine returned %d: %s", rc, err->msg);
    }
}


/*
 * V8's fatal errors (out of memory in v8::ArrayBuffer::New, a failed
 * CHECK) end in a trap instruction, a SIGTRAP that libFuzzer does not
 * handle: turned into SIGABRT, libFuzzer saves the input and prints the
 * stack.
 */
void
OnTrap(int signo)
{
    static const char  msg[] = "\n==FUZZ== SIGTRAP: V8 ended the process"
                               " (fatal error, see above)\n";

    (void) write(2, msg, sizeof(msg) - 1);
    abort();
}

}  /* namespace */


void
Bug(const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "\n==FUZZ== ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n");

    Cleanup();
    abort();
}


static void
Init(const char *name, const char *js, size_t len)
{
    char        dir[] = "/tmp/jsfn-fuzz-XXXXXX";
    const char *v;
    FILE       *f;
    jsfn_err_t  err;

    st.verbose = getenv("FUZZ_VERBOSE") != nullptr;
    v = getenv("FUZZ_SKIP");
    st.skip = std::string(",") + (v ? v : "") + ",";
    signal(SIGTRAP, OnTrap);

    v = getenv("FUZZ_CPU_MS");
    st.cpu_limit_us = (v ? strtoull(v, nullptr, 10) : cpu_limit_ms_default)
                      * 1000;

    if (mkdtemp(dir) == nullptr) {
        Bug("mkdtemp: %s", strerror(errno));
    }

    st.dir = dir;
    st.path = st.dir + "/" + name + ".js";
    atexit(Exit);

    f = fopen(st.path.c_str(), "w");
    if (f == nullptr || fwrite(js, 1, len, f) != len || fclose(f) != 0) {
        Bug("cannot write %s", st.path.c_str());
    }

    /*
     * Without the startup snapshot each isolate compiles the runtime
     * itself, after block coverage is on (jscov.cc): the snapshot holds
     * bytecode without block counters for what its warm-up ran (the URL
     * parser, Headers, Response).  FUZZ_SNAPSHOT=1 uses it, as nginx does.
     */
    v = getenv("FUZZ_SNAPSHOT");
    jsfn_engine_conf_t  ec = { &host, (v && strcmp(v, "1") == 0)
                                      ? nullptr : "/dev/null" };

    if (jsfn_engine_init(&ec, &err) != JSFN_OK) {
        Bug("jsfn_engine_init: %s", err.msg);
    }

    if (err.len) {
        fprintf(stderr, "fuzz: engine: %s\n", err.msg);
    }

    /*
     * The CPU limit is per call (Call()).  Timers are the harness's own
     * (JS coverage, putting built-ins back): they run without one, or the
     * coverage collection they do would add up against the isolate's
     * budget for timer callbacks.  libFuzzer's -timeout catches a hang.
     */
    st.conf.heap_max = 256u << 20;
    st.conf.cpu_limit_us = 0;
    st.conf.allow_eval = 0;
    st.conf.host = &st;

    NewIsolate();

    st.env_heap_max = std::to_string(st.conf.heap_max);
    st.env = {
        { "HEAP_MAX", 8 }, { st.env_heap_max.data(), st.env_heap_max.size() },
        { "FUZZ_SKIP", 9 }, { st.skip.data(), st.skip.size() },
    };
}


jsfn_request_t
Post(const char *url, const uint8_t *data, size_t size)
{
    jsfn_request_t  req{};

    req.method = { "POST", 4 };
    req.url = { url, strlen(url) };
    req.body = (const char *) data;
    req.body_len = size;
    req.env = st.env.data();
    req.nenv = st.env.size() / 2;

    return req;
}


int
Call(const jsfn_request_t *in, jsfn_response_t *resp, jsfn_err_t *err)
{
    jsfn_request_t  req = *in;
    int             rc;

    req.cpu_limit_us = st.cpu_limit_us;
    st.done = false;
    st.again = false;
    st.expected.clear();

    rc = jsfn_call_start(st.iso, &req, &st, &st.call, err);

    /* a pending call settles through timers only: nothing else is async */
    for (int n = 0; rc == JSFN_AGAIN && !st.done && n < 1000; n++) {
        if (st.timers.empty()) {
            Bug("the call is pending with no timer left to fire");
        }

        FireTimer();
    }

    if (rc == JSFN_AGAIN) {
        if (!st.done) {
            Bug("the call did not settle after 1000 timers");
        }

        rc = jsfn_call_finish(st.call, resp, err);

    } else if (rc == JSFN_OK) {
        rc = jsfn_call_finish(st.call, resp, err);
        if (rc != JSFN_OK) {
            Bug("jsfn_call_start gave JSFN_OK, jsfn_call_finish %d: %s",
                rc, err->msg);
        }
    }

    if (st.verbose) {
        fprintf(stderr, "call: %d%s%s\n", rc, rc == JSFN_OK ? "" : ": ",
                rc == JSFN_OK ? "" : err->msg);
    }

    CheckLimits(rc, err);

    if (rc != JSFN_OK && rc != JSFN_ERR_JS && rc != JSFN_ERR_RESPONSE
        && !SqueezedCode(rc))
    {
        Bug("unexpected code %d: %s", rc, err->msg);
    }

    return rc;
}


void
Release(bool renew)
{
    /* timers left by the call fire now, as they would later in nginx */
    for (int n = 0; !st.timers.empty() && n < 100; n++) {
        FireTimer();
    }

    jsfn_call_free(st.call);
    st.call = nullptr;

    /* a built-in changed and not put back would follow into next inputs */
    if ((renew && (st.tampered || st.squeezed))
        || jsfn_isolate_condemned(st.iso) != JSFN_OK)
    {
        jsfn_isolate_free(st.iso);
        NewIsolate();
        st.tampered = false;
        st.squeezed = false;
    }
}


const std::string &
Expected()
{
    return st.expected;
}


bool
Tampered()
{
    return st.tampered;
}


bool
Again()
{
    return st.again;
}


bool
On(const char *name)
{
    return st.skip.find(std::string(",") + name + ",") == std::string::npos;
}


std::string
Hex(const char *p, size_t n)
{
    static const char  digits[] = "0123456789abcdef";
    std::string        out;

    for (size_t i = 0; i < n; i++) {
        out += digits[(uint8_t) p[i] >> 4];
        out += digits[(uint8_t) p[i] & 15];
    }

    return out;
}


bool
Unhex(const std::string &hex, std::string *out)
{
    auto val = [](char c) {
        return c >= '0' && c <= '9' ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };

    out->clear();

    if (hex == "-") {
        return true;
    }

    if (hex.size() % 2) {
        return false;
    }

    for (size_t i = 0; i < hex.size(); i += 2) {
        int  h = val(hex[i]), l = val(hex[i + 1]);

        if (h < 0 || l < 0) {
            return false;
        }

        out->push_back((char) (h * 16 + l));
    }

    return true;
}


std::vector<std::string>
Words(const std::string &s)
{
    std::vector<std::string>  out;
    size_t                    i = 0;

    while (i < s.size()) {
        size_t  j = s.find(' ', i);

        if (j == std::string::npos) {
            j = s.size();
        }

        out.push_back(s.substr(i, j - i));
        i = j + 1;
    }

    return out;
}


bool
IsToken(const char *p, size_t n)
{
    if (n == 0) {
        return false;
    }

    for (size_t i = 0; i < n; i++) {
        uint8_t  c = p[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c))))
        {
            return false;
        }
    }

    return true;
}


std::vector<std::pair<std::string, std::string>>
SortAndCombine(const std::vector<std::pair<std::string, std::string>> &list)
{
    std::map<std::string, std::vector<std::string>>     byname;
    std::vector<std::pair<std::string, std::string>>    out;

    for (const auto &h : list) {
        byname[h.first].push_back(h.second);
    }

    for (const auto &e : byname) {
        if (e.first == "set-cookie") {
            for (const auto &v : e.second) {
                out.emplace_back(e.first, v);
            }
            continue;
        }

        std::string  joined;

        for (size_t i = 0; i < e.second.size(); i++) {
            joined += (i ? ", " : "") + e.second[i];
        }

        out.emplace_back(e.first, joined);
    }

    return out;
}

}  /* namespace fuzz */


extern "C" int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz::Init(fuzz::target, fuzz::js, fuzz::js_len);
    return 0;
}
