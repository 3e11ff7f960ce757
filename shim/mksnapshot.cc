/*
 * mksnapshot.cc: jsfn-mksnapshot OUT.  Runs the JS runtime once in a fresh
 * V8 and writes the startup snapshot every worker's isolates start from.
 * Built and run at build time by shim/Makefile.
 */

#include <cstdio>
#include <string>

#include <libplatform/libplatform.h>

#include "engine.h"


namespace jsfn {
int BuildSnapshot(std::string *out, std::string *why);
}


int
main(int argc, char **argv)
{
    std::string  blob, why;
    FILE        *f;

    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT\n", argv[0]);
        return 2;
    }

    std::unique_ptr<v8::Platform>  platform =
        v8::platform::NewDefaultPlatform(1);

    jsfn::PlatformFlags();
    v8::V8::InitializeICU();
    v8::V8::InitializePlatform(platform.get());
    v8::V8::Initialize();

    if (jsfn::BuildSnapshot(&blob, &why) != JSFN_OK) {
        fprintf(stderr, "jsfn-mksnapshot: %s\n", why.c_str());
        return 1;
    }

    v8::V8::Dispose();
    v8::V8::DisposePlatform();

    f = fopen(argv[1], "wb");
    if (f == nullptr || fwrite(blob.data(), 1, blob.size(), f) != blob.size()
        || fclose(f) != 0)
    {
        perror(argv[1]);
        return 1;
    }

    printf("jsfn-mksnapshot: %zu bytes, V8 %s\n", blob.size(),
           v8::V8::GetVersion());

    return 0;
}
