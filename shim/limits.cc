/*
 * limits.cc: the CPU watchdog, one thread per worker process.
 *
 * The worker thread marks each entry into JS (WatchdogEnter/Leave).  The
 * watchdog wakes every tick (a tenth of the budget, 1 to 50 ms), reads the
 * worker thread's CPU clock, and calls
 * TerminateExecution() on an entry that has used up its budget.  The
 * mutex makes "terminate this entry" and "this entry ended" exclusive, so
 * a termination never lands on a later entry.  While no JS runs for a
 * while, the thread parks on a condition variable.
 */

#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <time.h>

#include "jsfn_limits.h"


namespace jsfn {

namespace {

struct Watchdog {
    std::mutex                m;
    std::condition_variable   cv;
    std::thread               thread;
    bool                      running = false;
    bool                      stop = false;
    bool                      parked = false;

    clockid_t                 cpu_clock;      /* the worker thread's */

    /* the current entry, under m */
    v8::Isolate              *isolate = nullptr;
    uint64_t                  budget_ns = 0;
    uint64_t                  seq = 0;
    bool                      fired = false;
};

Watchdog  dog;


uint64_t
ClockNs(clockid_t id)
{
    struct timespec  ts;

    clock_gettime(id, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}


void
Run()
{
    std::unique_lock<std::mutex>  lock(dog.m);
    uint64_t                      seen = 0, cpu_at_start = 0;
    uint64_t                      idle_ns = 0, tick = 5000000;

    while (!dog.stop) {
        if (dog.isolate == nullptr || dog.fired || dog.budget_ns == 0) {
            /* park after ~1 s without JS; Enter() wakes us */
            idle_ns += tick;
            if (idle_ns > 1000000000ull) {
                dog.parked = true;
                dog.cv.wait(lock, [] {
                    return dog.stop || (dog.isolate != nullptr && !dog.fired);
                });
                dog.parked = false;
                idle_ns = 0;
                continue;
            }

        } else {
            idle_ns = 0;

            uint64_t  cpu = ClockNs(dog.cpu_clock);

            if (dog.seq != seen) {
                /* first sight of this entry: it began at most a tick ago */
                seen = dog.seq;
                cpu_at_start = cpu;

            } else if (cpu - cpu_at_start >= dog.budget_ns) {
                dog.isolate->TerminateExecution();
                dog.fired = true;
            }
        }

        /* a tenth of the budget, within 1..50 ms: few wake-ups */
        tick = dog.budget_ns ? dog.budget_ns / 10 : 50000000;
        if (tick < 1000000) {
            tick = 1000000;
        } else if (tick > 50000000) {
            tick = 50000000;
        }

        dog.cv.wait_for(lock, std::chrono::nanoseconds(tick));
    }
}

}  /* namespace */


int
WatchdogStart()
{
    if (dog.running) {
        return 0;
    }

    if (pthread_getcpuclockid(pthread_self(), &dog.cpu_clock) != 0) {
        return -1;
    }

    dog.stop = false;
    dog.thread = std::thread(Run);
    dog.running = true;

    return 0;
}


void
WatchdogStop()
{
    if (!dog.running) {
        return;
    }

    {
        std::lock_guard<std::mutex>  lock(dog.m);
        dog.stop = true;
    }

    dog.cv.notify_one();
    dog.thread.join();
    dog.running = false;
}


void
WatchdogEnter(v8::Isolate *isolate, uint64_t budget_us)
{
    bool  wake;

    {
        std::lock_guard<std::mutex>  lock(dog.m);

        dog.isolate = isolate;
        dog.budget_ns = budget_us * 1000;
        dog.seq++;
        dog.fired = false;
        wake = dog.parked && budget_us;
    }

    if (wake) {
        dog.cv.notify_one();
    }
}


bool
WatchdogLeave()
{
    std::lock_guard<std::mutex>  lock(dog.m);
    bool                         fired = dog.fired;

    dog.isolate = nullptr;
    dog.fired = false;

    return fired;
}


bool
WatchdogFired()
{
    std::lock_guard<std::mutex>  lock(dog.m);

    return dog.fired;
}


double
WallMs()
{
    return ClockNs(CLOCK_REALTIME) / 1e6;
}


double
MonotonicUs()
{
    return ClockNs(CLOCK_MONOTONIC) / 1e3;
}


uint64_t
ThreadCpuNs()
{
    return ClockNs(CLOCK_THREAD_CPUTIME_ID);
}

}  /* namespace jsfn */
