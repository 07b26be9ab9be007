# Load generator suites. The fixture server is a library of its own so that the
# suite and bench_load share it without compiling it twice.
add_library(loopscope_test_fixeddelayserver STATIC
    ${CMAKE_CURRENT_LIST_DIR}/support/fixeddelayserver.cpp
    ${CMAKE_CURRENT_LIST_DIR}/support/fixeddelayserver.h)
target_include_directories(loopscope_test_fixeddelayserver PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(loopscope_test_fixeddelayserver PUBLIC loopscope_options Qt6::Core Qt6::Network)

loopscope_add_test(tst_load
    LIBS loopscope_load loopscope_test_fixeddelayserver
    LABELS load
    TIMEOUT 120)
