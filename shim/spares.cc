/*
 * spares.cc: blank isolates made ahead of need on a background thread.
 *
 * Creating an isolate (heap set-up, snapshot deserialisation) takes
 * milliseconds; made on the worker's event loop it would stall every
 * request of the worker.  Here one thread keeps a small stock of blank
 * isolates (runtime loaded, no function), and a cold start takes one.
 * An isolate used by two threads must be entered under V8's Locker, so
 * these isolates take it on every use (Isolate::Lock); the thread never
 * touches an isolate once it is in the stock.
 */

#include <chrono>
#include <condition_variable>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <deque>
#include <mutex>
#include <thread>

#include "engine.h"


namespace jsfn {

namespace {

struct Spares {
    std::mutex                    m;
    std::condition_variable       cv;
    std::thread                   thread;
    std::deque<jsfn_isolate_t *>  ready;
    size_t                        target = 0;
    bool                          stop = false;
    bool                          running = false;
    jsfn_isolate_conf_t           conf;
};

Spares  spares;


void
Run()
{
    /*
     * Below the event loop in priority: where both share a core, requests
     * come first and spares are made with what is left.
     */
    (void) setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), 10);

    std::unique_lock<std::mutex>  lock(spares.m);

    while (!spares.stop) {
        if (spares.ready.size() >= spares.target) {
            spares.cv.wait(lock);
            continue;
        }

        lock.unlock();

        jsfn_err_t       err;
        jsfn_isolate_t  *iso = new jsfn_isolate_t(&spares.conf);

        iso->impl.locking = true;

        if (iso->impl.Init(&err) != JSFN_OK) {
            delete iso;
            iso = nullptr;
        }

        lock.lock();

        if (iso == nullptr) {
            /* out of memory or the like: try again later, never spin */
            spares.cv.wait_for(lock, std::chrono::seconds(1));
            continue;
        }

        spares.ready.push_back(iso);
    }
}

}  /* namespace */


int
SparesStart(const jsfn_isolate_conf_t *conf, size_t count)
{
    if (spares.running || count == 0) {
        return JSFN_OK;
    }

    spares.conf = *conf;
    spares.conf.host = nullptr;
    spares.target = count;
    spares.stop = false;
    spares.thread = std::thread(Run);
    spares.running = true;

    return JSFN_OK;
}


jsfn_isolate_t *
SparesTake()
{
    jsfn_isolate_t  *iso = nullptr;

    {
        std::lock_guard<std::mutex>  lock(spares.m);

        if (!spares.ready.empty()) {
            iso = spares.ready.front();
            spares.ready.pop_front();
        }
    }

    spares.cv.notify_one();

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
