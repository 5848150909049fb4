// jemalloc's options for the programs that link it (CMakeLists.txt, ledger_link_allocator). jemalloc
// reads this string at its start, before main; MALLOC_CONF in the environment still overrides
// each option.
//
// Freed pages go back to the system after 1 s instead of jemalloc's 10 s: a projection frees
// a batch's rows at each commit, and pages kept 10 s after were 60 to 130 MiB of its peak. 10M
// events projected at a peak of 636 MiB instead of 693, in the same time (bench/README.md).

extern "C" {
// The name is jemalloc's: the library holds a weak definition that this one replaces.
extern const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}
