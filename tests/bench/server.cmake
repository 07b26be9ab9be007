add_executable(bench_server bench_server.cpp)
target_link_libraries(bench_server PRIVATE loopscope_bench_support loopscope_options Qt6::Core Qt6::Network)
target_compile_definitions(bench_server PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>"
    FASTAPI_COURSE_APP="${CMAKE_CURRENT_SOURCE_DIR}/fastapi_course_app.py")
add_dependencies(bench_server loopscope)

add_executable(bench_parser bench_parser.cpp)
target_link_libraries(bench_parser PRIVATE loopscope_bench_support loopscope_server loopscope_options)
