# The machine's floor for bench_server: plain Linux, no Qt; loopscope_options for the warnings.
add_executable(floor_server floor_server.cpp)
target_link_libraries(floor_server PRIVATE loopscope_options)
set_target_properties(floor_server PROPERTIES AUTOMOC OFF)

add_executable(bench_server bench_server.cpp)
target_link_libraries(bench_server PRIVATE loopscope_bench_support loopscope_options Qt6::Core Qt6::Network)
target_compile_definitions(bench_server PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>"
    FLOOR_SERVER_BINARY="$<TARGET_FILE:floor_server>"
    FASTAPI_COURSE_APP="${CMAKE_CURRENT_SOURCE_DIR}/fastapi_course_app.py")
add_dependencies(bench_server loopscope floor_server)

add_executable(bench_parser bench_parser.cpp)
target_link_libraries(bench_parser PRIVATE loopscope_bench_support loopscope_server loopscope_options)
