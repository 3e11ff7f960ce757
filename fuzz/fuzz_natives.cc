/*
 * fuzz_natives: the runtime's parsers of untrusted text, run by one
 * function (fuzz/js/natives.js) on the request body: TextDecoder (fatal or
 * not, streaming or not), TextEncoder, atob/btoa, URL parsing and setters,
 * URLSearchParams.  The checks are in the JS; here, the call must succeed.
 */

#include "harness.h"


const char    fuzz::target[] = "natives";
const char    fuzz::js[] =
#include "natives_js.inc"
;
const size_t  fuzz::js_len = sizeof(fuzz::js) - 1;


extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsfn_request_t   req = fuzz::Post("http://fuzz.test/natives", data, size);
    jsfn_response_t  resp{};
    jsfn_err_t       err;
    int              rc;

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

        /* Call() lets only the squeezed isolate's error codes through */
        rc = fuzz::Call(&req, &resp, &err);

        if (rc == JSFN_ERR_JS || rc == JSFN_ERR_RESPONSE) {
            fuzz::Bug("the natives function failed (%d): %s", rc, err.msg);
        }
    }

    fuzz::Release();
    return 0;
}
