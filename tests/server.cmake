# The server core: socket-free units, the live server with real clients, the command line.
loopscope_add_test(tst_http LIBS loopscope_server LABELS "server")
loopscope_add_test(tst_httpparser LIBS loopscope_server LABELS "server")
loopscope_add_test(tst_server
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded" TIMEOUT 600)
# A restart: tasks lost as the course says, the same port serving again, the caller's loop on.
loopscope_add_test(tst_restart
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
loopscope_add_test(tst_cli
    LIBS loopscope_server loopscope_recording Qt6::Network
    LABELS "server")
target_compile_definitions(tst_cli PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(tst_cli loopscope)
loopscope_add_test(tst_tracing
    LIBS loopscope_server Qt6::Network
    LABELS "server;trace;threaded")
# The wait before the server reads a request: kernel receive stamps, the built-in load
# generator's X-Loopscope-Sent, and the stall report's socket victims.
loopscope_add_test(tst_socketwait
    LIBS loopscope_server loopscope_load loopscope_visualizer Qt6::Network
    LABELS "server;trace;load;threaded")
# The server thread's epoll event dispatcher: timers, socket notifiers, posts from other threads.
loopscope_add_test(tst_eventdispatcher LIBS loopscope_server LABELS "server;threaded")
# Sleeps on the loop: woken in the order they fall due, never once destroyed or cancelled.
loopscope_add_test(tst_sleepqueue LIBS loopscope_server LABELS "server")
# The worker pool's hand-off of jobs and results between threads.
loopscope_add_test(tst_workerpool LIBS loopscope_server LABELS "server;threaded")
# Limits, hostile clients and the control API's access rules.
loopscope_add_test(tst_limits
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
# What a request's target can reach: control-API access on the routed route, Host and content
# type, slashes in path parameters, outgoing URLs.
loopscope_add_test(tst_routing_security
    LIBS loopscope_server loopscope_test_fixeddelayserver Qt6::Network
    LABELS "server;threaded")
# No co_return moves from storage that outlives the coroutine (QCoro 0.8 moves such lvalues).
loopscope_add_test(tst_coreturn LABELS "server")
target_compile_definitions(tst_coreturn PRIVATE LOOPSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
loopscope_add_test(tst_params
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
# The no-await variant: the forgotten `await` on /async, POST /users/ and /dashboard.
loopscope_add_test(tst_noawait
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
# CPython's GIL on the server's threads, and /cpu's processpool variant (worker processes).
loopscope_add_test(tst_gil
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
# The API's description: request bodies and answers declared beside each route, /openapi.json
# (and the OpenAPI 3.0 validator where present), /docs' "Try it" and the /redoc reference.
loopscope_add_test(tst_apidocs
    LIBS loopscope_server Qt6::Network
    LABELS "server;threaded")
target_compile_definitions(tst_apidocs PRIVATE LOOPSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The live settings by name: one schema check, one writer, shared by the API, window and lessons.
loopscope_add_test(tst_settingtable LIBS loopscope_server LABELS "server")
