/*
 * jsfn_limits.h: what keeps one function from hurting the worker or the others:
 * a counting ArrayBuffer allocator with a per-isolate budget, and one
 * watchdog thread per process enforcing CPU time per entry into JS.
 */

#ifndef JSFN_LIMITS_H
#define JSFN_LIMITS_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <v8.h>


namespace jsfn {

/*
 * ArrayBuffer memory counts against the isolate's budget, so that a
 * function cannot escape js_function_memory with off-heap buffers.  Over
 * budget, an allocation fails (V8 throws a RangeError) and the owner is
 * told through over_budget().  Defined in allocator_nortti.cc.
 */
class CountingAllocator;

CountingAllocator *NewCountingAllocator(size_t budget);
v8::ArrayBuffer::Allocator *AsV8(CountingAllocator *a);
void DeleteCountingAllocator(CountingAllocator *a);
size_t AllocatorUsed(CountingAllocator *a);
bool AllocatorOverBudget(CountingAllocator *a);

/* true when "length" more bytes stay within the budget */
bool AllocatorFits(CountingAllocator *a, size_t length);

/*
 * A backing store of "length" uninitialised bytes counted against the
 * budget, or nullptr (over budget: never V8's abort).  "condemn" marks the
 * isolate over its limit, as a JS allocation that failed would.
 */
std::unique_ptr<v8::BackingStore> AllocatorStore(CountingAllocator *a,
    size_t length, bool condemn);

/*
 * Host memory that is not an ArrayBuffer (structuredClone's serialized
 * bytes) counted against the same budget: false when "length" more bytes
 * do not fit; every reservation is given back with AllocatorRelease().
 */
bool AllocatorReserve(CountingAllocator *a, size_t length, bool condemn);
void AllocatorRelease(CountingAllocator *a, size_t length);


/* the process's watchdog (limits.cc) */
int WatchdogStart();
void WatchdogStop();

/*
 * Brackets one entry into JS on the worker thread.  Enter() arms a CPU
 * budget (0: none); Leave() returns true when the watchdog terminated the
 * entry.  Both are cheap: an uncontended mutex, no system call.
 */
void WatchdogEnter(v8::Isolate *isolate, uint64_t budget_us);
bool WatchdogLeave();

/* true once the watchdog has stopped the current entry: native work that
   runs long (a digest of a large body, key generation) gives up then */
bool WatchdogFired();

/* wall clock in ms and a monotonic clock in us, for the frozen JS clocks */
double WallMs();
double MonotonicUs();

/* CPU time of the calling thread, in ns */
uint64_t ThreadCpuNs();

}  /* namespace jsfn */

#endif /* JSFN_LIMITS_H */
