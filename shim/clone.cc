/*
 * clone.cc: natives.structuredClone(value, transfer, dataCloneError), the
 * HTML structured clone with transfer, done by V8's own serializer.
 *
 * "transfer" is an array the runtime made of the options' transfer list;
 * "dataCloneError" turns a message into the DOMException to throw.  Both
 * are checked here again: a function may call nothing but the runtime, but
 * the runtime's own checks are not trusted.
 */

#include <unordered_map>

#include "clone.h"
#include "engine.h"


namespace jsfn {

void
CloneThrow(Clone *c, v8::Local<v8::String> message)
{
    v8::Isolate            *isolate = c->isolate;
    v8::Local<v8::Context>  ctx = isolate->GetCurrentContext();
    v8::Local<v8::Value>    e;

    if (isolate->IsExecutionTerminating()) {
        return;
    }

    if (c->over) {
        isolate->ThrowException(v8::Exception::RangeError(
            v8::String::NewFromUtf8Literal(isolate,
                "structuredClone: the data does not fit the function's"
                " memory (js_function_memory)")));
        return;
    }

    v8::Local<v8::Value>  arg = message;

    if (c->error->Call(ctx, v8::Undefined(isolate), 1, &arg).ToLocal(&e)) {
        isolate->ThrowException(e);
    }

    /* else the error function threw: that exception is pending */
}


static void
ThrowIndexed(Clone *c, uint32_t i, const char *what)
{
    std::string  msg = "Value at index " + std::to_string(i) + " " + what;

    CloneThrow(c, v8::String::NewFromUtf8(c->isolate, msg.c_str())
                      .ToLocalChecked());
}


/* structuredClone(value, transfer, dataCloneError) */
void
NativeStructuredClone(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                              *isolate = args.GetIsolate();
    v8::Local<v8::Context>                    ctx;
    Isolate                                  *self = Isolate::From(isolate);
    std::vector<v8::Local<v8::ArrayBuffer>>   transfer, moved;
    v8::Local<v8::Value>                      result;

    ctx = isolate->GetCurrentContext();

    if (!args[1]->IsArray() || !args[2]->IsFunction()) {
        isolate->ThrowException(v8::Exception::TypeError(
            v8::String::NewFromUtf8Literal(isolate,
                "structuredClone: bad arguments")));
        return;
    }

    Clone                  c;
    v8::Local<v8::Array>   list = args[1].As<v8::Array>();
    uint32_t               n = list->Length();

    c.isolate = isolate;
    c.error = args[2].As<v8::Function>();
    c.budget = self != nullptr ? self->Allocator() : nullptr;

    /*
     * The transfer list: distinct ArrayBuffers (HTML's
     * StructuredSerializeWithTransfer).  Repeats are found by identity
     * hash, not by comparing each with all: the list may be long, and
     * no termination stops a loop in C++.
     */
    std::unordered_multimap<int, uint32_t>  seen;

    for (uint32_t i = 0; i < n; i++) {
        v8::Local<v8::Value>  v;

        if (!list->Get(ctx, i).ToLocal(&v)) {
            return;
        }

        if (!v->IsArrayBuffer()) {
            return ThrowIndexed(&c, i, "does not have a transferable type.");
        }

        int   hash = v.As<v8::Object>()->GetIdentityHash();
        auto  range = seen.equal_range(hash);

        for (auto it = range.first; it != range.second; ++it) {
            if (transfer[it->second] == v) {
                return ThrowIndexed(&c, i, "is a duplicate of an earlier"
                                           " ArrayBuffer.");
            }
        }

        seen.emplace(hash, i);
        transfer.push_back(v.As<v8::ArrayBuffer>());
    }

    {
        v8::TryCatch  tc(isolate);

        if (CloneWrite(&c, ctx, args[0], transfer).IsJust() && !c.over) {
            /* written */

        } else if (tc.HasCaught() || isolate->IsExecutionTerminating()) {
            tc.ReThrow();
            return;

        } else {
            /* over the budget, and V8 said nothing: say it */
            c.over = true;
            CloneThrow(&c, v8::String::Empty(isolate));
            return;
        }
    }

    /* all checked before any is detached */
    for (uint32_t i = 0; i < transfer.size(); i++) {
        if (transfer[i]->WasDetached()) {
            return ThrowIndexed(&c, i, "is an already detached"
                                       " ArrayBuffer.");
        }

        if (!transfer[i]->IsDetachable()) {
            return ThrowIndexed(&c, i, "is an ArrayBuffer that cannot be"
                                       " detached.");
        }
    }

    /* the memory moves to a new ArrayBuffer object: nothing is allocated */
    for (auto &b : transfer) {
        std::shared_ptr<v8::BackingStore>  store = b->GetBackingStore();

        b->Detach();
        moved.push_back(v8::ArrayBuffer::New(isolate, std::move(store)));
    }

    if (CloneRead(&c, ctx, moved).ToLocal(&result)) {
        args.GetReturnValue().Set(result);
    }
}

}  /* namespace jsfn */
