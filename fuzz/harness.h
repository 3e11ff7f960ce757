/*
 * harness.h: what the fuzz targets share: a fake host for the engine's C
 * API (include/jsfn.h), one engine per process and one isolate reused
 * across inputs, and the checks' way to report a finding.
 *
 * The JS a target runs speaks to the harness through console output:
 *   "FUZZ-BUG <text>"     a check in JS failed: report it and abort
 *   "FUZZ-EXPECT <text>"  what the JS expects the host to receive
 *   "FUZZ-COV"            collect the JS coverage of this input (jscov.cc)
 *   "FUZZ-TAMPER"         the JS changes built-ins the runtime relies on
 *   "FUZZ-RESTORED"       ... and has put them back
 *   "FUZZ-AGAIN"          the JS asks for a second call in the same isolate
 *   "FUZZ-SQUEEZE"        the JS uses up its memory budget: the heap limit
 *                         may condemn the isolate, which is then replaced
 */

#ifndef JSFN_FUZZ_HARNESS_H
#define JSFN_FUZZ_HARNESS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jsfn.h"


namespace fuzz {

/*
 * Each target defines its name and its module's source (fuzz/js/); the
 * harness's LLVMFuzzerInitialize() starts the engine and an isolate
 * running it.
 */
extern const char    target[];
extern const char    js[];
extern const size_t  js_len;

/*
 * A POST of the input as the body to "url", with the targets' env:
 * HEAP_MAX (the memory budget) and FUZZ_SKIP (see On()).
 */
jsfn_request_t Post(const char *url, const uint8_t *data, size_t size);

/*
 * One call of the module's handler: start it, fire its timers until it
 * settles, finish it.  The engine's code; on JSFN_OK *resp is filled and
 * valid until Release().  Timeouts and heap kills are findings: inputs are
 * small, so a limit reached is a complexity or memory bug.
 */
int Call(const jsfn_request_t *req, jsfn_response_t *resp, jsfn_err_t *err);

/*
 * Fires the timers left, frees the call; replaces a condemned isolate, and,
 * when "renew", one whose built-ins were changed and not put back.
 */
void Release(bool renew = true);

/* the text of the last FUZZ-EXPECT line of this input */
const std::string &Expected();

/*
 * This input changed built-ins (FUZZ-TAMPER), which its JS has not put
 * back yet (FUZZ-RESTORED, from a timer Release() fires); if it does not,
 * Release() replaces the isolate.
 */
bool Tampered();

/* the JS asked for one more call (FUZZ-AGAIN) before Release() */
bool Again();

/*
 * FUZZ_SKIP=name,...: checks or operations turned off, to look past a
 * known finding.  On() says whether "name" is still on.  The JS gets the
 * list too, as env.FUZZ_SKIP (Post()).
 */
bool On(const char *name);

/* a finding: prints "FUZZ: <what>" and aborts, so libFuzzer keeps the input */
[[noreturn]] void Bug(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* what the checks need */
std::string Hex(const char *p, size_t n);
bool Unhex(const std::string &hex, std::string *out);
std::vector<std::string> Words(const std::string &s);

/* an HTTP token (RFC 9110 tchar) */
bool IsToken(const char *p, size_t n);

/* Fetch's "sort and combine" of name, value pairs (names already lowercase) */
std::vector<std::pair<std::string, std::string>> SortAndCombine(
    const std::vector<std::pair<std::string, std::string>> &list);

/* jscov.cc: JS block coverage as libFuzzer extra counters */
void JsCoverage();

}  /* namespace fuzz */

#endif /* JSFN_FUZZ_HARNESS_H */
