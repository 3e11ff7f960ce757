/*
 * allocator_nortti.cc: the V8 interface subclass, kept apart and built
 * without RTTI like the rest of the shim (libnode's V8 has none).
 */

#include <cstdlib>
#include <cstring>

#include "jsfn_limits.h"


namespace jsfn {

class CountingAllocator final : public v8::ArrayBuffer::Allocator {
public:
    explicit CountingAllocator(size_t budget) : budget(budget) {}

    void *Allocate(size_t length) override {
        if (!Reserve(length)) {
            return nullptr;
        }
        void *p = calloc(length ? length : 1, 1);
        if (p == nullptr) {
            used.fetch_sub(length);
        }
        return p;
    }

    void *AllocateUninitialized(size_t length) override {
        if (!Reserve(length)) {
            return nullptr;
        }
        void *p = malloc(length ? length : 1);
        if (p == nullptr) {
            used.fetch_sub(length);
        }
        return p;
    }

    void Free(void *data, size_t length) override {
        free(data);
        used.fetch_sub(length);
    }

    /*
     * May be called from V8's background threads: counters are atomic.
     * A typed array of up to 64 bytes keeps them on V8's heap until its
     * buffer is asked for (`.buffer`, a native's view->Buffer()); V8 then
     * allocates that buffer here and aborts the process if refused
     * (JSTypedArray::GetBuffer).  Those are never refused: their number is
     * bounded by the heap's own limit.
     */
    bool Reserve(size_t length, bool condemn = true) {
        size_t  now = used.fetch_add(length) + length;

        if (((budget && now > budget) || now < length) && length > 64) {
            used.fetch_sub(length);
            if (condemn) {
                over = true;
            }
            return false;
        }

        return true;
    }

    size_t                budget;
    std::atomic<size_t>   used{0};
    std::atomic<bool>     over{false};
};


CountingAllocator *
NewCountingAllocator(size_t budget)
{
    return new CountingAllocator(budget);
}


v8::ArrayBuffer::Allocator *
AsV8(CountingAllocator *a)
{
    return a;
}


void
DeleteCountingAllocator(CountingAllocator *a)
{
    delete a;
}


size_t
AllocatorUsed(CountingAllocator *a)
{
    return a->used.load();
}


bool
AllocatorOverBudget(CountingAllocator *a)
{
    return a->over.load();
}


bool
AllocatorFits(CountingAllocator *a, size_t length)
{
    return a->budget == 0 || a->used.load() + length <= a->budget;
}


bool
AllocatorReserve(CountingAllocator *a, size_t length, bool condemn)
{
    return a->Reserve(length, condemn);
}


void
AllocatorRelease(CountingAllocator *a, size_t length)
{
    a->used.fetch_sub(length);
}


static void
HostFree(void *data, size_t length, void *a)
{
    free(data);
    static_cast<CountingAllocator *>(a)->used.fetch_sub(length);
}


/*
 * V8 aborts the process when ArrayBuffer::New() finds its allocator
 * refusing; this asks first.  The memory counts against the budget like
 * any ArrayBuffer's, and V8 frees it through HostFree().  "condemn": going
 * over the budget is a limit kill (as for JS), else only a refusal.
 */
std::unique_ptr<v8::BackingStore>
AllocatorStore(CountingAllocator *a, size_t length, bool condemn)
{
    if (!a->Reserve(length, condemn)) {
        return nullptr;
    }

    void  *p = malloc(length ? length : 1);

    if (p == nullptr) {
        a->used.fetch_sub(length);
        return nullptr;
    }

    return v8::ArrayBuffer::NewBackingStore(p, length, HostFree, a);
}

}  /* namespace jsfn */
