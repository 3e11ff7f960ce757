/*
 * spares.cc: blank isolates made ahead of need on a background thread.
 *
 * Creating an isolate (heap set-up, snapshot deserialisation) takes
 * milliseconds; made on the worker's event loop it would stall every
 * request of the worker.  Here one thread keeps a stock of blank isolates
 * (runtime loaded, no function), and a cold start takes one.  An isolate
 * used by two threads must be entered under V8's Locker: the worker's
 * thread takes it with the isolate and holds it for the isolate's life
 * (Isolate::held); this thread never touches an isolate once it has handed
 * it out.
 *
 * The stock follows the cold starts: its target is the most cold starts
 * seen within one second (a sliding window) over the last kHold seconds,
 * between the configured minimum and maximum.  A burst of new functions
 * raises it at once, so the next burst finds spares; kHold seconds after
 * the busiest second the surplus is disposed of, one isolate at a time.
 */

#include <chrono>
#include <condition_variable>
#include <sched.h>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "engine.h"


namespace jsfn {

namespace {

/* a raised target holds this long after the busiest second (us) */
const double  kHold = 10e6;

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

    /* the times of the last "max" cold starts (a ring), and the most of
       them seen within one second, when */
    std::vector<double>           starts;
    size_t                        next = 0;
    size_t                        peak = 0;
    double                        peak_at = 0;

    /* since the start */
    uint64_t                      made = 0;
    uint64_t                      taken = 0;
    uint64_t                      missed = 0;
    uint64_t                      dropped = 0;
};

Spares  spares;


/* the stock the thread keeps now; under spares.m */
size_t
Target()
{
    double  now = MonotonicUs();
    size_t  rate = 0;

    for (double t : spares.starts) {
        if (t > now - 1e6) {
            rate++;
        }
    }

    if (rate >= spares.peak || now - spares.peak_at > kHold) {
        spares.peak = rate;
        spares.peak_at = now;
    }

    return std::min(std::max(spares.peak, spares.min), spares.max);
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
    spares.starts.assign(spares.max, -1e18);
    spares.next = 0;
    spares.peak = 0;
    spares.peak_at = 0;
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

        spares.starts[spares.next++ % spares.starts.size()] = MonotonicUs();

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

    if (iso != nullptr) {
        /* this thread alone uses it from now on (Isolate::held) */
        iso->impl.held.reset(new v8::Locker(iso->impl.isolate));
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
