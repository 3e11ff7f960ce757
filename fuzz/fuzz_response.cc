/*
 * fuzz_response: the response conversion.  The function
 * (fuzz/js/response.js) builds a Response from the request body through
 * the public API, sometimes after changing built-ins the runtime's own JS
 * relies on, and logs what it built (FUZZ-EXPECT).  Whatever the JS did,
 * the jsfn_response_t must be sendable:
 *   status      200..599 (0 only for Response.error(), as documented)
 *   reason      HTAB, SP, VCHAR, obs-text only
 *   name        an HTTP token
 *   value       no CR, LF or NUL; no leading or trailing SP or HTAB
 * and, when no built-in was changed, exactly what the JS built: status,
 * status text and body bytes, the headers as Fetch sorts and combines them.
 *
 * FUZZ_SKIP=check,... turns checks off (status, reason, name, value, ws,
 * expect), or the changing of built-ins (tamper), to look past a known
 * finding.  Header and status text bytes
 * may be the Latin-1 of the JS strings (Fetch's ByteString) or their UTF-8
 * (what the engine sends today); FUZZ_STRICT=latin1 accepts only Latin-1.
 */

#include <cstdlib>
#include <cstring>

#include "harness.h"


const char    fuzz::target[] = "response";
const char    fuzz::js[] =
#include "response_js.inc"
;
const size_t  fuzz::js_len = sizeof(fuzz::js) - 1;


using fuzz::On;


/* the UTF-8 of a string of Latin-1 chars */
static std::string
Utf8(const std::string &latin1)
{
    std::string  out;

    for (unsigned char c : latin1) {
        if (c < 0x80) {
            out += (char) c;
        } else {
            out += (char) (0xc0 | (c >> 6));
            out += (char) (0x80 | (c & 0x3f));
        }
    }

    return out;
}


/* bytes the host got for a JS ByteString */
static bool
SameBytes(const std::string &got, const std::string &want)
{
    static const char  *strict = getenv("FUZZ_STRICT");
    static bool         latin1 = strict != nullptr
                                 && strstr(strict, "latin1") != nullptr;

    return got == want || (!latin1 && got == Utf8(want));
}


static std::string
Str(const jsfn_str_t &s)
{
    return std::string(s.data, s.len);
}


static void
CheckHead(const jsfn_response_t &resp, bool error_response)
{
    if (On("status")
        && !(resp.status >= 200 && resp.status <= 599)
        && !(resp.status == 0 && error_response))
    {
        fuzz::Bug("response status %d", resp.status);
    }

    for (size_t i = 0; On("reason") && i < resp.status_text.len; i++) {
        uint8_t  c = resp.status_text.data[i];

        if (!(c == '\t' || (c >= 0x20 && c != 0x7f))) {
            fuzz::Bug("status text with byte 0x%02x: %s", c,
                      fuzz::Hex(resp.status_text.data,
                                resp.status_text.len).c_str());
        }
    }

    for (size_t i = 0; i < resp.nheaders; i++) {
        const jsfn_str_t  &n = resp.headers[2 * i];
        const jsfn_str_t  &v = resp.headers[2 * i + 1];

        if (On("name") && !fuzz::IsToken(n.data, n.len)) {
            fuzz::Bug("header name not a token: %s (value %s)",
                      fuzz::Hex(n.data, n.len).c_str(),
                      fuzz::Hex(v.data, v.len).c_str());
        }

        if (On("value")
            && (memchr(v.data, '\r', v.len) || memchr(v.data, '\n', v.len)
                || memchr(v.data, '\0', v.len)))
        {
            fuzz::Bug("header value with CR, LF or NUL: %s: %s",
                      fuzz::Hex(n.data, n.len).c_str(),
                      fuzz::Hex(v.data, v.len).c_str());
        }

        if (On("ws") && v.len
            && (v.data[0] == ' ' || v.data[0] == '\t'
                || v.data[v.len - 1] == ' ' || v.data[v.len - 1] == '\t'))
        {
            fuzz::Bug("header value not trimmed: %s: %s",
                      fuzz::Hex(n.data, n.len).c_str(),
                      fuzz::Hex(v.data, v.len).c_str());
        }
    }
}


/* "0 E|- status text n name value ... body", hex strings ("-": empty) */
static void
CheckExpected(const jsfn_response_t &resp, const std::vector<std::string> &w)
{
    std::string  text, body;
    size_t       n;

    if (w.size() < 6 || !fuzz::Unhex(w[3], &text)) {
        fuzz::Bug("bad expectation: %s", fuzz::Expected().c_str());
    }

    n = strtoul(w[4].c_str(), nullptr, 10);
    if (w.size() != 6 + 2 * n || !fuzz::Unhex(w.back(), &body)) {
        fuzz::Bug("bad expectation: %s", fuzz::Expected().c_str());
    }

    if (resp.status != atoi(w[2].c_str())) {
        fuzz::Bug("status %d, the JS built %s", resp.status, w[2].c_str());
    }

    if (!SameBytes(Str(resp.status_text), text)) {
        fuzz::Bug("status text %s, the JS built %s",
                  fuzz::Hex(resp.status_text.data,
                            resp.status_text.len).c_str(), w[3].c_str());
    }

    std::vector<std::pair<std::string, std::string>>  got;

    for (size_t i = 0; i < resp.nheaders; i++) {
        got.emplace_back(Str(resp.headers[2 * i]),
                         Str(resp.headers[2 * i + 1]));
    }

    got = fuzz::SortAndCombine(got);

    if (got.size() != n) {
        fuzz::Bug("%zu headers (sorted, combined), the JS built %zu",
                  got.size(), n);
    }

    for (size_t i = 0; i < n; i++) {
        std::string  name, value;

        fuzz::Unhex(w[5 + 2 * i], &name);
        fuzz::Unhex(w[6 + 2 * i], &value);

        if (!SameBytes(got[i].first, name) || !SameBytes(got[i].second, value)) {
            fuzz::Bug("header %s: %s, the JS built %s: %s",
                      fuzz::Hex(got[i].first.data(),
                                got[i].first.size()).c_str(),
                      fuzz::Hex(got[i].second.data(),
                                got[i].second.size()).c_str(),
                      w[5 + 2 * i].c_str(), w[6 + 2 * i].c_str());
        }
    }

    if (std::string(resp.body ? resp.body : "", resp.body_len) != body) {
        fuzz::Bug("body %s, the JS built %s",
                  fuzz::Hex(resp.body, resp.body_len).c_str(),
                  w.back().c_str());
    }
}


extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsfn_request_t   req = fuzz::Post("http://fuzz.test/response", data, size);
    jsfn_response_t  resp{};
    jsfn_err_t       err;

    int  rc = fuzz::Call(&req, &resp, &err);

    std::vector<std::string>  w = fuzz::Words(fuzz::Expected());
    bool                      tampered = fuzz::Tampered();

    if (!tampered && rc == JSFN_OK && (w.empty() || w[0] != "0")) {
        fuzz::Bug("no expectation from the JS: %s", fuzz::Expected().c_str());
    }

    if (rc != JSFN_OK) {
        /* changed built-ins may break the runtime: an error is fine then */
        if (!tampered) {
            fuzz::Bug("the response function failed (%d): %s", rc, err.msg);
        }

    } else {
        CheckHead(resp, w.size() > 1 && w[1] == "E");

        if (!tampered && On("expect")) {
            CheckExpected(resp, w);
        }
    }

    fuzz::Release();
    return 0;
}
