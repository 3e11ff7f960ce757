/*
 * spares.cc: blank isolates made ahead of need on a background thread.
 *
 * Creating an isolate (heap set-up, snapshot deserialisation) takes
 * milliseconds; made on the worker's event loop it would stall every
 * request of the worker.  Here one thread keeps a stock of blank isolates
 * (runtime loaded, no function), and a cold start takes one.  An isolate
 * used by two threads must be entered under V8's Locker, so these isolates
 * take it on every use (Isolate::Lock); the thread never touches an
 * isolate once it has handed it out.
 *
 * The stock follows the cold starts: its target is the largest number of
 * cold starts seen within one second over the last kHold seconds, between
 * the configured minimum and maximum.  A burst of new functions raises it
 * at once, so the next burst finds spares; kHold seconds after the last
 * busy second the surplus is disposed of, one isolate at a time.
 */

#include <chrono>
#include <condition_variable>
#include <sched.h>
#include <deque>
#include <mutex>
#include <thread>

#include "engine.h"


namespace jsfn {

namespace {

/* seconds a raised target holds after the busiest second */
const size_t  kHold = 10;

struct Spares {
    std::mutex                    m;
    std::condition_variable       cv;
    std::thread                   thread;
    std::deque<jsfn_isolate_t *>  ready;
    size_t                        min = 0;
    size_t                        max = 0;
    bool                          stop = false;
    bool                          running = false;
    bool                          making = false;
    jsfn_isolate_conf_t           conf;

    /* cold starts per second, the last kHold seconds: a ring indexed by
       second % kHold, counts[] of seconds before "second" - kHold + 1
       are stale */
    uint64_t                      second = 0;
    uint32_t                      counts[kHold] = {};

    /* since the start */
    uint64_t                      made = 0;
    uint64_t                      taken = 0;
    uint64_t                      missed = 0;
    uint64_t                      dropped = 0;
};

Spares  spares;


uint64_t
Second()
{
    return (uint64_t) (MonotonicUs() / 1e6);
}


/* moves the ring to the current second; under spares.m */
void
Advance(uint64_t now)
{
    if (now <= spares.second) {
        return;
    }

    for (uint64_t s = spares.second + 1;
         s <= now && s <= spares.second + kHold; s++)
    {
        spares.counts[s % kHold] = 0;
    }

    spares.second = now;
}


/* the stock the thread keeps now; under spares.m */
size_t
Target()
{
    size_t  peak = 0;

    Advance(Second());

    for (size_t i = 0; i < kHold; i++) {
        peak = std::max(peak, (size_t) spares.counts[i]);
    }

    return std::min(std::max(peak, spares.min), spares.max);
}


void
Fill(jsfn_spares_stats_t *stats)
{
    if (stats == nullptr) {
        return;
    }

    stats->ready = spares.ready.size();
    stats->target = Target();
    stats->made = spares.made;
    stats->taken = spares.taken;
    stats->missed = spares.missed;
    stats->dropped = spares.dropped;
}


void
Run()
{
    /*
     * The idle scheduling class: the event loop's thread preempts this
     * one as soon as it wakes (a request arrived), whereas a nice value
     * only lowers its share and lets it finish a time slice of a few
     * milliseconds first.  Spares are made with the time the worker's
     * core does not use; a fully busy core makes none, and its cold starts
     * create their isolates themselves.
     */
    struct sched_param  sp = {};

    (void) sched_setscheduler(0, SCHED_IDLE, &sp);

    std::unique_lock<std::mutex>  lock(spares.m);

    while (!spares.stop) {
        size_t  target = Target();

        if (spares.ready.size() > target) {
            /* the newest goes: the oldest have their pages in place */
            jsfn_isolate_t  *iso = spares.ready.back();

            spares.ready.pop_back();
            spares.dropped++;

            lock.unlock();
            delete iso;
            lock.lock();
            continue;
        }

        if (spares.ready.size() == target) {
            if (target > spares.min) {
                /* the target falls as the busy second gets old */
                spares.cv.wait_for(lock, std::chrono::seconds(1));

            } else {
                spares.cv.wait(lock);
            }

            continue;
        }

        spares.making = true;
        lock.unlock();

        jsfn_err_t       err;
        jsfn_isolate_t  *iso = new jsfn_isolate_t(&spares.conf);

        iso->impl.locking = true;

        if (iso->impl.Init(&err) != JSFN_OK) {
            delete iso;
            iso = nullptr;
        }

        lock.lock();
        spares.making = false;

        if (iso == nullptr) {
            /* out of memory or the like: try again later, never spin */
            spares.cv.wait_for(lock, std::chrono::seconds(1));
            continue;
        }

        spares.ready.push_back(iso);
        spares.made++;
    }
}

}  /* namespace */


int
SparesStart(const jsfn_isolate_conf_t *conf, size_t min, size_t max)
{
    if (spares.running || min == 0) {
        return JSFN_OK;
    }

    spares.conf = *conf;
    spares.conf.host = nullptr;
    spares.min = min;
    spares.max = std::max(min, max);
    spares.stop = false;
    spares.second = Second();
    spares.thread = std::thread(Run);
    spares.running = true;

    return JSFN_OK;
}


/*
 * A cold start: counted for the target, and given a spare when one is
 * ready.
 */
jsfn_isolate_t *
SparesTake(jsfn_spares_stats_t *stats)
{
    jsfn_isolate_t  *iso = nullptr;
    bool             more;

    {
        std::lock_guard<std::mutex>  lock(spares.m);

        if (!spares.running) {
            return nullptr;
        }

        Advance(Second());
        spares.counts[spares.second % kHold]++;

        if (!spares.ready.empty()) {
            iso = spares.ready.front();
            spares.ready.pop_front();
            spares.taken++;

        } else {
            spares.missed++;
        }

        more = spares.ready.size() < Target() && !spares.making;

        Fill(stats);
    }

    if (more) {
        spares.cv.notify_one();
    }

    return iso;
}


void
SparesStop()
{
    if (!spares.running) {
        return;
    }

    {
        std::lock_guard<std::mutex>  lock(spares.m);
        spares.stop = true;
    }

    spares.cv.notify_one();
    spares.thread.join();
    spares.running = false;

    for (jsfn_isolate_t *iso : spares.ready) {
        delete iso;
    }

    spares.ready.clear();
}

}  /* namespace jsfn */
