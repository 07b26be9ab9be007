# Recording cost and collector throughput of the tracing library.
add_executable(bench_trace ${CMAKE_CURRENT_LIST_DIR}/bench_trace.cpp)
target_link_libraries(bench_trace PRIVATE loopscope_options loopscope_trace)
# Recordings: bytes per event, opening 1M requests and its first frame, and what --record costs
# the server under wrk.
add_executable(bench_recording ${CMAKE_CURRENT_LIST_DIR}/bench_recording.cpp)
target_include_directories(bench_recording PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(bench_recording PRIVATE loopscope_bench_support loopscope_recording
    loopscope_visualizer loopscope_options Qt6::Widgets)
target_compile_definitions(bench_recording PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(bench_recording loopscope)
