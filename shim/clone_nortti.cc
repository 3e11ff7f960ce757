/*
 * clone_nortti.cc: the ValueSerializer and ValueDeserializer delegates of
 * structuredClone(), kept apart and built without RTTI like the rest of the
 * shim (libnode's V8 has none).
 *
 * The serialized data is host memory that a function decides the size of
 * (a long string, a large typed array): the writer's delegate counts every
 * byte of it against the isolate's budget, as the ArrayBuffer allocator
 * does, and refuses to grow past it.  V8 then gives up with "out of
 * memory", which becomes a RangeError and, like an ArrayBuffer refused by
 * the allocator, a memory limit kill of the isolate.
 */

#include <cstdlib>

#include "clone.h"
#include "jsfn_limits.h"


namespace jsfn {

namespace {

class CloneWriter final : public v8::ValueSerializer::Delegate {
public:
    explicit CloneWriter(Clone *c) : c(c) {}

    void ThrowDataCloneError(v8::Local<v8::String> message) override {
        CloneThrow(c, message);
    }

    /* none of the runtime's objects has internal fields: nothing to write */
    v8::Maybe<bool> WriteHostObject(v8::Isolate *isolate,
        v8::Local<v8::Object> object) override
    {
        CloneThrow(c, v8::String::NewFromUtf8Literal(isolate,
                          "A host object could not be cloned."));
        return v8::Nothing<bool>();
    }

    /*
     * The clone lives in the same isolate, the only agent there is: it
     * shares the memory, as structuredClone() does in Node.js and Deno.
     */
    v8::Maybe<uint32_t> GetSharedArrayBufferId(v8::Isolate *isolate,
        v8::Local<v8::SharedArrayBuffer> sab) override
    {
        for (size_t i = 0; i < c->shared.size(); i++) {
            if (c->shared[i] == sab) {
                return v8::Just((uint32_t) i);
            }
        }

        c->shared.emplace_back(isolate, sab);
        return v8::Just((uint32_t) (c->shared.size() - 1));
    }

    v8::Maybe<uint32_t> GetWasmModuleTransferId(v8::Isolate *isolate,
        v8::Local<v8::WasmModuleObject> module) override
    {
        CloneThrow(c, v8::String::NewFromUtf8Literal(isolate,
                          "A WebAssembly.Module could not be cloned."));
        return v8::Nothing<uint32_t>();
    }

    void *ReallocateBufferMemory(void *old, size_t size,
        size_t *actual) override
    {
        if (c->budget != nullptr && size > c->reserved
            && !AllocatorReserve(c->budget, size - c->reserved, true))
        {
            c->over = true;
            return nullptr;
        }

        void  *p = realloc(old, size ? size : 1);

        if (p == nullptr) {
            if (c->budget != nullptr && size > c->reserved) {
                AllocatorRelease(c->budget, size - c->reserved);
            }
            c->over = true;
            return nullptr;
        }

        if (c->budget != nullptr && size < c->reserved) {
            AllocatorRelease(c->budget, c->reserved - size);
        }

        c->reserved = size;
        *actual = size;
        return p;
    }

    void FreeBufferMemory(void *buffer) override {
        free(buffer);

        if (c->budget != nullptr) {
            AllocatorRelease(c->budget, c->reserved);
        }

        c->reserved = 0;
    }

private:
    Clone  *c;
};


class CloneReader final : public v8::ValueDeserializer::Delegate {
public:
    explicit CloneReader(Clone *c) : c(c) {}

    /* a new SharedArrayBuffer object on the same memory */
    v8::MaybeLocal<v8::SharedArrayBuffer> GetSharedArrayBufferFromId(
        v8::Isolate *isolate, uint32_t id) override
    {
        if (id >= c->shared.size()) {
            CloneThrow(c, v8::String::NewFromUtf8Literal(isolate,
                              "Unable to deserialize cloned data."));
            return v8::MaybeLocal<v8::SharedArrayBuffer>();
        }

        return v8::SharedArrayBuffer::New(isolate,
                   c->shared[id].Get(isolate)->GetBackingStore());
    }

private:
    Clone  *c;
};

}  /* namespace */


Clone::~Clone()
{
    if (data != nullptr) {
        free(data);

        if (budget != nullptr) {
            AllocatorRelease(budget, reserved);
        }
    }
}


v8::Maybe<bool>
CloneWrite(Clone *c, v8::Local<v8::Context> ctx, v8::Local<v8::Value> value,
    const std::vector<v8::Local<v8::ArrayBuffer>> &transfer)
{
    CloneWriter           delegate(c);
    v8::ValueSerializer   writer(c->isolate, &delegate);

    for (size_t i = 0; i < transfer.size(); i++) {
        writer.TransferArrayBuffer((uint32_t) i, transfer[i]);
    }

    writer.WriteHeader();

    if (writer.WriteValue(ctx, value).IsNothing()) {
        return v8::Nothing<bool>();         /* the writer frees its buffer */
    }

    std::pair<uint8_t *, size_t>  out = writer.Release();

    /* from here the reservation is the Clone's, freed by its destructor */
    c->data = out.first;
    c->len = out.second;

    return v8::Just(true);
}


v8::MaybeLocal<v8::Value>
CloneRead(Clone *c, v8::Local<v8::Context> ctx,
    const std::vector<v8::Local<v8::ArrayBuffer>> &transferred)
{
    CloneReader            delegate(c);
    v8::ValueDeserializer  reader(c->isolate, c->data, c->len, &delegate);

    for (size_t i = 0; i < transferred.size(); i++) {
        reader.TransferArrayBuffer((uint32_t) i, transferred[i]);
    }

    if (reader.ReadHeader(ctx).IsNothing()) {
        return v8::MaybeLocal<v8::Value>();
    }

    return reader.ReadValue(ctx);
}

}  /* namespace jsfn */
