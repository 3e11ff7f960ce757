/*
 * codecache.cc: V8's compiled form of each module file, kept so that a
 * function whose isolate is made again (evicted, killed, idle, another
 * worker, a restarted nginx) is not parsed and compiled again.  Made after
 * the isolate's first call, it holds the functions that call compiled too.
 *
 * Keyed by the file's path and valid while its mtime, size and inode are
 * those the entry was made from, it lives in one of two places:
 * - files of at least disk_min_source bytes, when js_function_code_cache
 *   names a directory: there, shared by the workers and kept across
 *   restarts (the page cache holds one copy for all workers).  One file
 *   an entry, written to a temporary name and renamed, so a reader sees a
 *   whole entry or none.  Bounded: after each write the oldest entries go
 *   until the directory's total fits;
 * - others, and those the directory could not take: this process's
 *   memory, bounded (oldest out first).
 *
 * V8 checks a cache's magic number, V8 version, flags, source length and
 * payload length (SerializedCodeData::SanityCheck), and its payload's
 * checksum while --verify-snapshot-checksum is on: the default in V8 10.2
 * (later V8s turned it off in release builds).  Our own header (path,
 * mtime, size, inode) is not V8's to check, and a future V8 may not check
 * the payload: so every disk entry carries its own CRC-32 (zlib) over its
 * header, path and data, and one that does not match is removed, never
 * given to V8.  An entry V8 rejects (another V8 or flags) is replaced by
 * the next compile's.
 *
 * Only the engine's thread uses it (Compile and calls run there).
 */

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <zlib.h>

#include "engine.h"


namespace jsfn {

namespace {

struct CacheEntry {
    long                    mtime_ns;
    long                    size;
    unsigned long           ino;
    std::vector<uint8_t>    data;
};

/* a disk entry: this header, the path, then V8's data */
struct DiskHeader {
    char                    magic[8];
    uint32_t                crc;         /* over all that follows it */
    uint32_t                version;     /* CRC-32 of the engine version */
    uint64_t                mtime_ns;
    uint64_t                size;
    uint64_t                ino;
    uint32_t                path_len;
    uint32_t                data_len;
};

const char                          disk_magic[8] = { 'J', 'S', 'F', 'N',
                                                      'C', 'C', '0', '1' };
const size_t                        memory_max = 64u << 20;
const size_t                        disk_min_source = 16u << 10;

std::map<std::string, CacheEntry>   memory;
std::vector<std::string>            memory_order;
size_t                              memory_bytes;

std::string                         disk_dir;   /* "": no disk level */
size_t                              disk_max;
CodeCacheStats                      stats;


long
StampNs(const struct stat &st)
{
    return st.st_mtim.tv_sec * 1000000000L + st.st_mtim.tv_nsec;
}


uint32_t
VersionHash()
{
    const char  *v = v8::V8::GetVersion();

    return (uint32_t) crc32(0, reinterpret_cast<const Bytef *>(v),
                            (uInt) strlen(v));
}


/* the entry's file name: FNV-1a of the path (the path is checked too) */
std::string
DiskName(const std::string &path)
{
    uint64_t  h = 14695981039346656037ull;
    char      name[32];

    for (unsigned char c : path) {
        h = (h ^ c) * 1099511628211ull;
    }

    snprintf(name, sizeof(name), "%016llx.jsc", (unsigned long long) h);

    return disk_dir + "/" + name;
}


void
MemoryDrop(const std::string &path)
{
    auto it = memory.find(path);

    if (it != memory.end()) {
        memory_bytes -= it->second.data.size();
        memory.erase(it);
        memory_order.erase(std::find(memory_order.begin(),
                                     memory_order.end(), path));
    }
}


void
MemoryPut(const std::string &path, const struct stat &st,
    const uint8_t *data, size_t len)
{
    MemoryDrop(path);

    while (memory_bytes + len > memory_max && !memory_order.empty()) {
        auto old = memory.find(memory_order.front());
        if (old != memory.end()) {
            memory_bytes -= old->second.data.size();
            memory.erase(old);
        }
        memory_order.erase(memory_order.begin());
    }

    CacheEntry  &e = memory[path];

    memory_order.push_back(path);
    e.mtime_ns = StampNs(st);
    e.size = st.st_size;
    e.ino = st.st_ino;
    e.data.assign(data, data + len);
    memory_bytes += len;
}


uint32_t
EntryCrc(const DiskHeader &h, const char *rest, size_t len)
{
    uLong  c;

    c = crc32(0, reinterpret_cast<const Bytef *>(&h.version),
              (uInt) (sizeof(DiskHeader) - offsetof(DiskHeader, version)));

    while (len > 0) {
        uInt  n = (uInt) std::min(len, (size_t) UINT_MAX);

        c = crc32(c, reinterpret_cast<const Bytef *>(rest), n);
        rest += n;
        len -= n;
    }

    return (uint32_t) c;
}


/* the disk entry of the file, V8's data into *out; false: none fits */
bool
DiskGet(const std::string &path, const struct stat &st,
    std::vector<uint8_t> *out)
{
    std::string  name = DiskName(path);
    struct stat  fst;
    DiskHeader   h;
    std::string  body;
    ssize_t      n;
    size_t       got;
    bool         bad = false;
    int          fd;

    fd = open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd == -1) {
        return false;
    }

    /*
     * V8 takes a code cache as trusted input: only an entry this worker's
     * user wrote, that no one else may write, is given to it (the
     * directory may be one the operator made group or world writable).
     */
    if (fstat(fd, &fst) == -1 || !S_ISREG(fst.st_mode)
        || fst.st_uid != geteuid() || (fst.st_mode & (S_IWGRP | S_IWOTH))
        || (size_t) fst.st_size < sizeof(DiskHeader)
        || (size_t) fst.st_size > disk_max + sizeof(DiskHeader) + PATH_MAX)
    {
        close(fd);
        return false;
    }

    body.resize((size_t) fst.st_size);

    for (got = 0; got < body.size(); got += (size_t) n) {
        n = read(fd, &body[got], body.size() - got);
        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                n = 0;
                continue;
            }
            break;
        }
    }

    close(fd);

    if (got != body.size()) {
        return false;
    }

    memcpy(&h, body.data(), sizeof(DiskHeader));

    if (memcmp(h.magic, disk_magic, sizeof(disk_magic)) != 0
        || (uint64_t) h.path_len + h.data_len
           != body.size() - sizeof(DiskHeader)
        || EntryCrc(h, body.data() + sizeof(DiskHeader),
                    body.size() - sizeof(DiskHeader)) != h.crc)
    {
        bad = true;

    } else if (h.version != VersionHash()
               || h.path_len != path.size()
               || body.compare(sizeof(DiskHeader), h.path_len, path) != 0
               || h.mtime_ns != (uint64_t) StampNs(st)
               || h.size != (uint64_t) st.st_size
               || h.ino != (uint64_t) st.st_ino)
    {
        /* another file's, or a version of this one that is gone */
        stats.disk_stale++;
        return false;
    }

    if (bad) {
        /* damaged (or not ours): never handed to V8 */
        stats.disk_bad++;
        (void) unlink(name.c_str());
        return false;
    }

    out->assign(body.begin() + sizeof(DiskHeader) + h.path_len, body.end());
    stats.disk_hits++;

    return true;
}


/* the oldest entries out until the directory fits disk_max */
void
DiskTrim()
{
    DIR                                          *d;
    struct dirent                                *de;
    struct stat                                   st;
    size_t                                        total = 0;
    time_t                                        now = time(nullptr);
    std::vector<std::pair<long, std::string>>     entries;

    d = opendir(disk_dir.c_str());
    if (d == nullptr) {
        return;
    }

    while ((de = readdir(d)) != nullptr) {
        size_t  len = strlen(de->d_name);

        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1
            || !S_ISREG(st.st_mode))
        {
            continue;
        }

        if (len > 4 && strcmp(de->d_name + len - 4, ".tmp") == 0) {
            /* a writer that died before its rename */
            if (now - st.st_mtime > 60) {
                (void) unlinkat(dirfd(d), de->d_name, 0);
            }
            continue;
        }

        if (len != 20 || strcmp(de->d_name + 16, ".jsc") != 0) {
            continue;
        }

        total += (size_t) st.st_size;
        entries.emplace_back(StampNs(st), de->d_name);
    }

    if (total > disk_max) {
        std::sort(entries.begin(), entries.end());

        for (auto &e : entries) {
            if (total <= disk_max) {
                break;
            }

            if (fstatat(dirfd(d), e.second.c_str(), &st,
                        AT_SYMLINK_NOFOLLOW) == 0
                && unlinkat(dirfd(d), e.second.c_str(), 0) == 0)
            {
                total -= std::min(total, (size_t) st.st_size);
                stats.disk_evicted++;
            }
        }
    }

    closedir(d);
}


bool
DiskPut(const std::string &path, const struct stat &st,
    const uint8_t *data, size_t len)
{
    DiskHeader   h;
    std::string  name, tmp, body;
    char         suffix[64];
    size_t       done;
    ssize_t      n;
    int          fd;

    if (len + path.size() + sizeof(DiskHeader) > disk_max
        || len > UINT32_MAX || path.size() > PATH_MAX)
    {
        return false;
    }

    memset(&h, 0, sizeof(DiskHeader));
    memcpy(h.magic, disk_magic, sizeof(disk_magic));
    h.version = VersionHash();
    h.mtime_ns = (uint64_t) StampNs(st);
    h.size = (uint64_t) st.st_size;
    h.ino = (uint64_t) st.st_ino;
    h.path_len = (uint32_t) path.size();
    h.data_len = (uint32_t) len;

    body.reserve(sizeof(DiskHeader) + path.size() + len);
    body.append(reinterpret_cast<const char *>(&h), sizeof(DiskHeader));
    body.append(path);
    body.append(reinterpret_cast<const char *>(data), len);

    h.crc = EntryCrc(h, body.data() + sizeof(DiskHeader),
                     body.size() - sizeof(DiskHeader));
    memcpy(&body[offsetof(DiskHeader, crc)], &h.crc, sizeof(h.crc));

    name = DiskName(path);
    snprintf(suffix, sizeof(suffix), ".%ld.tmp", (long) getpid());
    tmp = name + suffix;

    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
                           | O_NOFOLLOW, 0600);
    if (fd == -1) {
        stats.disk_errors++;
        return false;
    }

    for (done = 0; done < body.size(); done += (size_t) n) {
        n = write(fd, body.data() + done, body.size() - done);
        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                n = 0;
                continue;
            }
            break;
        }
    }

    if (close(fd) == -1 || done != body.size()
        || rename(tmp.c_str(), name.c_str()) == -1)
    {
        stats.disk_errors++;
        (void) unlink(tmp.c_str());
        return false;
    }

    stats.disk_writes++;
    DiskTrim();

    return true;
}

}  /* namespace */


void
CodeCacheInit(const char *dir, size_t max)
{
    disk_dir = (dir != nullptr) ? dir : "";
    while (disk_dir.size() > 1 && disk_dir.back() == '/') {
        disk_dir.pop_back();
    }
    disk_max = max ? max : (256u << 20);
}


/* big files live on disk only: the page cache shares them between workers */
static bool
OnDisk(const struct stat &st)
{
    return !disk_dir.empty() && (size_t) st.st_size >= disk_min_source;
}


bool
CodeCacheGet(const std::string &path, const struct stat &st,
    std::vector<uint8_t> *out)
{
    auto it = memory.find(path);

    if (it != memory.end()
        && it->second.mtime_ns == StampNs(st)
        && it->second.size == (long) st.st_size
        && it->second.ino == (unsigned long) st.st_ino)
    {
        *out = it->second.data;
        return true;
    }

    return OnDisk(st) && DiskGet(path, st, out);
}


void
CodeCachePut(const std::string &path, const struct stat &st,
    const uint8_t *data, size_t len)
{
    /* in memory when the directory cannot take it (full disk, rights) */
    if (!OnDisk(st) || !DiskPut(path, st, data, len)) {
        MemoryPut(path, st, data, len);

    } else {
        MemoryDrop(path);
    }
}


const CodeCacheStats &
CodeCacheCounters()
{
    return stats;
}

}  /* namespace jsfn */
