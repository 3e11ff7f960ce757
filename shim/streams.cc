/*
 * streams.cc: what js/25-streams.js needs from C++ besides its library
 * (library.cc: library, libraryCache, lazyGlobals).
 *
 *   transfer(ab)                   the same memory under a new ArrayBuffer,
 *                                  ab detached (the Streams spec's
 *                                  "transfer": V8 10.2 has no
 *                                  ArrayBuffer.prototype.transfer)
 *
 * The library is about 65 KB of JS, and several hundred KB of heap per
 * isolate once it has run.  Its code cache is made once the library has
 * loaded, and made again when the first few isolates have read a stream
 * body whole, by when more of the functions streams run are compiled.
 */

#include "engine.h"


namespace jsfn {

void
NativeTransfer(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();

    if (!args[0]->IsArrayBuffer()
        || !args[0].As<v8::ArrayBuffer>()->IsDetachable())
    {
        isolate->ThrowException(v8::Exception::TypeError(
            v8::String::NewFromUtf8Literal(isolate,
                "transfer: expected a detachable ArrayBuffer")));
        return;
    }

    v8::Local<v8::ArrayBuffer>          ab = args[0].As<v8::ArrayBuffer>();
    std::shared_ptr<v8::BackingStore>   store = ab->GetBackingStore();

    /* no allocation: the backing store moves to the new ArrayBuffer */
    ab->Detach();
    args.GetReturnValue().Set(v8::ArrayBuffer::New(isolate, store));
}

}  /* namespace jsfn */
