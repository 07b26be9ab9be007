# Faults from outside the server: clients leaving at every phase, SIGTERM during write load.
loopscope_add_test(tst_faults
    LIBS loopscope_server loopscope_test_fixeddelayserver Qt6::Network
    LABELS "server;faults;threaded" TIMEOUT 600)
target_compile_definitions(tst_faults PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(tst_faults loopscope)
