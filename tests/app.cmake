# The window (offscreen) and the real app under Xvfb.
loopscope_add_test(tst_app WIDGETS
    SOURCES support/httptestclient.cpp
    LIBS loopscope_app Qt6::Network
    LABELS "app" TIMEOUT 300)
target_compile_definitions(tst_app PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(tst_app loopscope)
