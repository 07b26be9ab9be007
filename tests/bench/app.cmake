add_executable(bench_app bench_app.cpp)
target_link_libraries(bench_app PRIVATE loopscope_bench_support loopscope_options Qt6::Core)
target_compile_definitions(bench_app PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(bench_app loopscope)
