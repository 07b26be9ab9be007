# bench_load: the built-in generator's requests per CPU-second against wrk's,
# and its memory over a long run. Run by hand; never part of ctest.
add_executable(bench_load ${CMAKE_CURRENT_LIST_DIR}/bench_load.cpp)
target_link_libraries(bench_load PRIVATE loopscope_options loopscope_load loopscope_test_fixeddelayserver
    loopscope_test_support)
