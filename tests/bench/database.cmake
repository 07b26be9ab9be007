add_executable(bench_database bench_database.cpp)
target_link_libraries(bench_database PRIVATE loopscope_bench_support loopscope_test_support loopscope_options Qt6::Core Qt6::Network Qt6::Sql)
target_compile_definitions(bench_database PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>"
    FASTAPI_ITEMS_APP="${CMAKE_CURRENT_SOURCE_DIR}/fastapi_items_app.py")
add_dependencies(bench_database loopscope)
