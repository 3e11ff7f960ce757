/*
 * jscov.cc: coverage of the JavaScript that an input ran, fed to libFuzzer.
 *
 * libFuzzer sees only the instrumented C++; the runtime's parsers (URL,
 * TextDecoder, base64, Headers) are JS inside V8, invisible to it.  So,
 * when the target's JS logs "FUZZ-COV" (harness.cc), V8's own block
 * coverage is collected (and reset) and each covered block bumps one of
 * libFuzzer's "extra counters": new JS blocks then count as new coverage.
 *
 * V8's coverage interface (src/debug/debug-interface.h) is not among the
 * headers libnode-dev ships, but libnode exports it; the declarations below
 * copy V8 10.2's.  They are used only when the running V8 is 10.2 (else
 * the targets fuzz without JS coverage, with a warning).  The isolate is
 * the current one: FUZZ-COV arrives inside console.log, in JS.
 */

#include <cstdio>
#include <cstring>
#include <memory>

#include <v8.h>

#include "harness.h"


namespace v8 {

namespace internal {
class Coverage;
class CoverageScript;
class CoverageFunction;
class CoverageBlock;
}

namespace debug {

/* V8 10.2 src/debug/interface-types.h */
enum class CoverageMode {
    kBestEffort,
    kPreciseCount,
    kPreciseBinary,
    kBlockCount,
    kBlockBinary,
};

/* V8 10.2 src/debug/debug-interface.h, the part used here */
class Coverage {
public:
    class BlockData {
    public:
        BlockData(BlockData &&) = default;
        int StartOffset() const;
        uint32_t Count() const;
    private:
        internal::CoverageBlock              *block_;
        std::shared_ptr<internal::Coverage>   coverage_;
    };

    class FunctionData {
    public:
        FunctionData(FunctionData &&) = default;
        int StartOffset() const;
        int EndOffset() const;
        uint32_t Count() const;
        size_t BlockCount() const;
        BlockData GetBlockData(size_t i) const;
    private:
        internal::CoverageFunction           *function_;
        std::shared_ptr<internal::Coverage>   coverage_;
    };

    class ScriptData {
    public:
        ScriptData(ScriptData &&) = default;
        size_t FunctionCount() const;
        FunctionData GetFunctionData(size_t i) const;
    private:
        internal::CoverageScript             *script_;
        std::shared_ptr<internal::Coverage>   coverage_;
    };

    Coverage(Coverage &&) = default;
    static Coverage CollectPrecise(Isolate *isolate);
    static void SelectMode(Isolate *isolate, CoverageMode mode);
    size_t ScriptCount() const;
    ScriptData GetScriptData(size_t i) const;

private:
    std::shared_ptr<internal::Coverage>   coverage_;
};

}  /* namespace debug */
}  /* namespace v8 */


/* libFuzzer reads these after each input, as it reads its own counters */
__attribute__((section("__libfuzzer_extra_counters")))
static uint8_t  js_counters[1 << 16];


namespace fuzz {

namespace {

v8::Isolate  *selected;          /* the isolate in block coverage mode */
int           usable = -1;       /* -1: not decided yet */


inline void
Bump(uint32_t key, uint32_t count)
{
    uint8_t  &c = js_counters[(key * 2654435761u) >> 16];
    uint32_t  n = c + (count > 255 ? 255 : count);

    c = n > 255 ? 255 : (uint8_t) n;
}

}  /* namespace */


void
JsCoverage()
{
    v8::Isolate  *isolate = v8::Isolate::GetCurrent();

    if (usable == -1) {
        usable = strncmp(v8::V8::GetVersion(), "10.2.", 5) == 0
                 && getenv("FUZZ_NO_JSCOV") == nullptr;
        if (!usable) {
            fprintf(stderr, "fuzz: no JS coverage (V8 %s is not 10.2, or"
                    " FUZZ_NO_JSCOV is set)\n", v8::V8::GetVersion());
        }
    }

    if (!usable || isolate == nullptr) {
        return;
    }

    /*
     * A new isolate (the first, or one made after a condemned one): block
     * counters go into what it compiles from now on.  This input's JS
     * compiled before, so it counts from the next input.
     */
    if (isolate != selected) {
        v8::debug::Coverage::SelectMode(isolate,
                                        v8::debug::CoverageMode::kBlockCount);
        selected = isolate;
        return;
    }

    v8::HandleScope              scope(isolate);
    v8::debug::Coverage          cov =
        v8::debug::Coverage::CollectPrecise(isolate);

    for (size_t s = 0; s < cov.ScriptCount(); s++) {
        v8::debug::Coverage::ScriptData  script = cov.GetScriptData(s);

        for (size_t f = 0; f < script.FunctionCount(); f++) {
            v8::debug::Coverage::FunctionData  fn = script.GetFunctionData(f);
            uint32_t  key = (uint32_t) fn.StartOffset() * 65599u
                            + (uint32_t) fn.EndOffset();

            if (fn.Count()) {
                Bump(key, fn.Count());
            }

            for (size_t b = 0; b < fn.BlockCount(); b++) {
                v8::debug::Coverage::BlockData  block = fn.GetBlockData(b);

                if (block.Count()) {
                    Bump(key * 31u + (uint32_t) block.StartOffset() + 1,
                         block.Count());
                }
            }
        }
    }
}

}  /* namespace fuzz */
