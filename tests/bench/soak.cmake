# bench_soak: RSS and open descriptors of the real server, before and after a long mixed load.
# Run by hand (`bench_soak --duration 60` for a quick look); never part of ctest.
add_executable(bench_soak bench_soak.cpp soakclient.cpp)
target_link_libraries(bench_soak PRIVATE loopscope_bench_support loopscope_test_support
    loopscope_options Qt6::Core Qt6::Network)
target_compile_definitions(bench_soak PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(bench_soak loopscope)
