# Recording cost and collector throughput of the tracing library.
add_executable(bench_trace ${CMAKE_CURRENT_LIST_DIR}/bench_trace.cpp)
target_link_libraries(bench_trace PRIVATE loopscope_options loopscope_trace)
