# The window (offscreen) and the real app under Xvfb.
loopscope_add_test(tst_app WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app" TIMEOUT 300)
target_compile_definitions(tst_app PRIVATE LOOPSCOPE_BINARY="$<TARGET_FILE:loopscope>")
add_dependencies(tst_app loopscope)

# The window's layout from 1024×700 up, a lesson's banner open: room for the lanes, the charts
# drawn whole, the runs table showing runs.
loopscope_add_test(tst_window_layout WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app")

# The Code tab: the course's Python and the serving C++ for every route and variant.
loopscope_add_test(tst_coursecode WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app")

# Packaging metadata passes the validators desktop environments and software centres use.
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(DESKTOP_FILE_VALIDATE)
    add_test(NAME desktop_file_valid COMMAND ${DESKTOP_FILE_VALIDATE}
        ${PROJECT_SOURCE_DIR}/packaging/io.github.loopscope.Loopscope.desktop)
    set_tests_properties(desktop_file_valid PROPERTIES LABELS "packaging")
endif()
if(APPSTREAMCLI)
    add_test(NAME metainfo_valid COMMAND ${APPSTREAMCLI} validate --no-net
        ${PROJECT_SOURCE_DIR}/packaging/io.github.loopscope.Loopscope.metainfo.xml)
    set_tests_properties(metainfo_valid PROPERTIES LABELS "packaging")
endif()

# One clock: the timeline, the charts, the log and the export agree on an instant; the shared
# time cursor; the status bar and the loop-lag chart show one figure through a stall.
loopscope_add_test(tst_clock WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_app Qt6::Network
    LABELS "app")
# The runs table records what really ran: a variant flipped mid-run, the plan, a stopped run.
loopscope_add_test(tst_runs WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app")
# A scenario's claims, checked on its runs, and --check's report and exit status.
loopscope_add_test(tst_scenarioclaims
    LIBS loopscope_app
    LABELS "app")
# Every lesson's claims, checked by the real app under Xvfb (`--check`). Alone on the machine:
# its claims are figures (requests/s, latencies), and a suite beside it would skew them. Not under
# the sanitizers, whose slowdown is not what the course's figures describe.
find_program(XVFB_RUN xvfb-run)
if(XVFB_RUN)
    add_test(NAME scenario_checks
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_scenarios.sh $<TARGET_FILE:loopscope>)
    set_tests_properties(scenario_checks PROPERTIES
        LABELS "app;lessons" RUN_SERIAL TRUE TIMEOUT 600)
endif()
# File > Save recording… then open: the same timeline, stalls, blame and log as live.
loopscope_add_test(tst_recording_window WIDGETS
    LIBS loopscope_app Qt6::Network
    LABELS "app")
