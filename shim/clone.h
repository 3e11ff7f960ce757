/*
 * clone.h: structuredClone() through V8's ValueSerializer and
 * ValueDeserializer (clone.cc; the delegates in clone_nortti.cc).
 */

#ifndef JSFN_CLONE_H
#define JSFN_CLONE_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include <v8.h>


namespace jsfn {

class CountingAllocator;


/* one structuredClone() call, shared by the native and the delegates */
struct Clone {
    v8::Isolate                                    *isolate;

    /* message -> a DataCloneError DOMException, made by the runtime */
    v8::Local<v8::Function>                         error;

    /* the isolate's budget; nullptr while the snapshot is made */
    CountingAllocator                              *budget;

    /* bytes of the serialized data reserved against the budget */
    size_t                                          reserved = 0;
    bool                                            over = false;

    /*
     * SharedArrayBuffers met, by id: the clone shares their memory.
     * Globals: the writer's delegate is called inside V8's handle scopes.
     */
    std::vector<v8::Global<v8::SharedArrayBuffer>>  shared;

    /* the serialized data, allocated by the writer's delegate */
    uint8_t                                        *data = nullptr;
    size_t                                          len = 0;

    ~Clone();
};


/* throws a DataCloneError (or a RangeError once over the budget) */
void CloneThrow(Clone *c, v8::Local<v8::String> message);

/*
 * Serializes "value" into c->data, the ArrayBuffers of "transfer" passing
 * by id.  Nothing: an exception is pending (or execution terminating).
 */
v8::Maybe<bool> CloneWrite(Clone *c, v8::Local<v8::Context> ctx,
    v8::Local<v8::Value> value,
    const std::vector<v8::Local<v8::ArrayBuffer>> &transfer);

/* reads c->data back, the transferred buffers standing for their ids */
v8::MaybeLocal<v8::Value> CloneRead(Clone *c, v8::Local<v8::Context> ctx,
    const std::vector<v8::Local<v8::ArrayBuffer>> &transferred);

}  /* namespace jsfn */

#endif /* JSFN_CLONE_H */
