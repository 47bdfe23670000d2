// Which simdjson kernel does a translation unit compiled with given flags get?
//  - tu_builtin: SIMDJSON_BUILTIN_IMPLEMENTATION as seen by THIS translation unit.
//  simdjson::ondemand is
//    header-only and always runs this kernel: it is what src/protocol/codec.cc and
//    src/processor/heartbeat_decoder.cc get when compiled with the same flags.
//  - lib_builtin: simdjson::builtin_implementation()->name(). NOTE: with Debian's shared
//  libsimdjson this
//    function lives in the .so and reports the library's own compile-time kernel, not this TU's.
//  - lib_active: the runtime-dispatched kernel inside libsimdjson.so (DOM API,
//  simdjson::validate_utf8).
//  - tu_parser: the kernel an ondemand::parser in this TU reports after a parse.
#include <simdjson.h>

#include <cstdio>

int main() {
    simdjson::ondemand::parser parser;
    simdjson::padded_string json(std::string_view("{\"a\":1}"));
    auto doc = parser.iterate(json);
    (void)doc;
    std::printf("tu_builtin=%s lib_builtin=%s lib_active=%s simdjson=%s\n",
                SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
                simdjson::builtin_implementation()->name().c_str(),
                simdjson::get_active_implementation()->name().c_str(),
                SIMDJSON_STRINGIFY(SIMDJSON_VERSION));
    return 0;
}
