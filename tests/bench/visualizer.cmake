# Frame times of the timeline at 10k..1M spans and under live ingest.
add_executable(bench_timeline ${CMAKE_CURRENT_LIST_DIR}/bench_timeline.cpp)
target_include_directories(bench_timeline PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(bench_timeline PRIVATE loopscope_options loopscope_visualizer)
