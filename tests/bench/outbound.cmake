add_executable(bench_outbound bench_outbound.cpp)
target_link_libraries(bench_outbound PRIVATE loopscope_bench_support loopscope_options Qt6::Core Qt6::Network)
target_compile_definitions(bench_outbound PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>"
    FASTAPI_OUTBOUND_APP="${CMAKE_CURRENT_SOURCE_DIR}/fastapi_outbound_app.py")
add_dependencies(bench_outbound loopscope)
