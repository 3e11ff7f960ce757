/*
 * fuzz_natives: the runtime's parsers of untrusted text, run by one
 * function (fuzz/js/natives.js) on the request body: TextDecoder (fatal or
 * not, streaming or not), TextEncoder, atob/btoa, URL parsing and setters,
 * URLSearchParams.  The checks are in the JS; here, the call must succeed.
 */

#include "harness.h"


static const char  js[] =
#include "natives_js.inc"
;


extern "C" int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz::Init("natives", js, sizeof(js) - 1);
    return 0;
}


extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsfn_request_t   req{};
    jsfn_response_t  resp{};
    jsfn_err_t       err;
    int              rc;

    req.method = { "POST", 4 };
    req.url = { "http://fuzz.test/natives", 24 };
    req.body = (const char *) data;
    req.body_len = size;

    /* the budget, for the JS to use up (opSqueezed in natives.js) */
    static const std::string  heap_max = std::to_string(fuzz::HeapMax());
    static const jsfn_str_t   env[] = {
        { "HEAP_MAX", 8 }, { heap_max.data(), heap_max.size() },
        { "FUZZ_SKIP", 9 }, { fuzz::Skip().data(), fuzz::Skip().size() },
    };

    req.env = env;
    req.nenv = 2;

    rc = fuzz::Call(&req, &resp, &err);

    if (rc == JSFN_ERR_HEAP) {
        /* opSqueezed: a refused allocation condemns the isolate */
        fuzz::Release();
        return 0;
    }

    if (rc != JSFN_OK) {
        fuzz::Bug("the natives function failed (%d): %s", rc, err.msg);
    }

    if (resp.status != 204) {
        fuzz::Bug("the natives function answered %d", resp.status);
    }

    /*
     * A second request into the squeezed isolate, with a body twice as
     * large: the engine must find memory for it (isolate.cc, Start()).
     */
    if (fuzz::Again()) {
        std::string  twice((const char *) data, size);

        twice.append((const char *) data, size);
        req.body = twice.data();
        req.body_len = twice.size();

        fuzz::Release(false);

        rc = fuzz::Call(&req, &resp, &err);

        if (rc != JSFN_OK && rc != JSFN_ERR_HEAP) {
            fuzz::Bug("the natives function failed (%d): %s", rc, err.msg);
        }
    }

    fuzz::Release();
    return 0;
}
