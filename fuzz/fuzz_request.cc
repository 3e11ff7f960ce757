/*
 * fuzz_request: the request mapping.  Fuzzer bytes become a method, a URL,
 * header pairs and a body, any bytes at all (NUL, CR, LF, bytes >= 0x80);
 * the function (fuzz/js/request.js) reads every part through the public
 * API and answers with what it read, which must be what was sent: bytes
 * as Latin-1 chars, header names lowercased (as JS toLowerCase() does on
 * Latin-1) then sorted and combined as Fetch's Headers iterate.
 */

#include <fuzzer/FuzzedDataProvider.h>

#include "harness.h"


const char    fuzz::target[] = "request";
const char    fuzz::js[] =
#include "request_js.inc"
;
const size_t  fuzz::js_len = sizeof(fuzz::js) - 1;


/* String.prototype.toLowerCase() on a Latin-1 char */
static char
JsLower(char ch)
{
    uint8_t  c = ch;

    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7)) {
        return (char) (c + 0x20);
    }

    return ch;
}


/* the function's answer: 4-byte little-endian lengths and bytes */
static std::vector<std::string>
Decode(const char *p, size_t n)
{
    std::vector<std::string>  out;
    size_t                    i = 0;

    while (i < n) {
        if (n - i < 4) {
            fuzz::Bug("answer: truncated length at %zu of %zu", i, n);
        }

        const uint8_t  *b = (const uint8_t *) p + i;
        size_t          len = b[0] | b[1] << 8 | b[2] << 16
                              | (size_t) b[3] << 24;

        i += 4;
        if (len > n - i) {
            fuzz::Bug("answer: length %zu past the end", len);
        }

        out.emplace_back(p + i, len);
        i += len;
    }

    return out;
}


static void
Same(const std::string &got, const std::string &want, const char *what)
{
    if (got != want) {
        fuzz::Bug("request %s: the function read %s, the host sent %s", what,
                  fuzz::Hex(got.data(), got.size()).c_str(),
                  fuzz::Hex(want.data(), want.size()).c_str());
    }
}


extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider  fdp(data, size);
    std::string         method = fdp.ConsumeRandomLengthString(64);
    std::string         url = fdp.ConsumeRandomLengthString(2048);
    size_t              nheaders = fdp.ConsumeIntegralInRange<size_t>(0, 24);
    bool                has_body = fdp.ConsumeBool();

    std::vector<std::string>  strings;
    std::vector<jsfn_str_t>   headers;
    std::vector<std::pair<std::string, std::string>>  lowered;

    strings.reserve(nheaders * 2);
    for (size_t i = 0; i < nheaders && fdp.remaining_bytes(); i++) {
        strings.push_back(fdp.ConsumeRandomLengthString(128));
        strings.push_back(fdp.ConsumeRandomLengthString(512));
    }

    for (size_t i = 0; i < strings.size(); i += 2) {
        std::string  name = strings[i];

        for (char &c : name) {
            c = JsLower(c);
        }

        lowered.emplace_back(name, strings[i + 1]);
        headers.push_back({ strings[i].data(), strings[i].size() });
        headers.push_back({ strings[i + 1].data(), strings[i + 1].size() });
    }

    std::string  body = fdp.ConsumeRemainingBytesAsString();

    jsfn_request_t   req = fuzz::Post("", nullptr, 0);
    jsfn_response_t  resp{};
    jsfn_err_t       err;

    req.method = { method.data(), method.size() };
    req.url = { url.data(), url.size() };
    req.headers = headers.data();
    req.nheaders = headers.size() / 2;
    req.body = has_body ? body.data() : nullptr;
    req.body_len = has_body ? body.size() : 0;

    int  rc = fuzz::Call(&req, &resp, &err);

    if (rc != JSFN_OK) {
        fuzz::Bug("the request function failed (%d): %s", rc, err.msg);
    }

    std::vector<std::string>  got = Decode(resp.body, resp.body_len);
    auto                      want = fuzz::SortAndCombine(lowered);

    if (got.size() != 4 + 2 * want.size()) {
        fuzz::Bug("request: the function read %zu parts, expected %zu",
                  got.size(), 4 + 2 * want.size());
    }

    Same(got[0], method, "method");
    Same(got[1], url, "url");
    Same(got[2], std::to_string(want.size()), "header count");

    for (size_t i = 0; i < want.size(); i++) {
        Same(got[3 + 2 * i], want[i].first, "header name");
        Same(got[4 + 2 * i], want[i].second, "header value");
    }

    Same(got.back(), has_body ? body : std::string(), "body");

    fuzz::Release();
    return 0;
}
