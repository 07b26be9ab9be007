# Tracing library suites.
loopscope_add_test(tst_trace LIBS loopscope_trace LABELS "trace;threaded")
# Stall attribution: the one rule the server's /_scope/stalls and the timeline share.
loopscope_add_test(tst_stalls LIBS loopscope_trace LABELS "trace")
# Recordings: the .loopscope layout read back field by field, a live session recorded and opened
# draws the same timeline, and bad files are refused with their reason.
loopscope_add_test(tst_recording LIBS loopscope_recording loopscope_server loopscope_visualizer
    LABELS "trace;server;threaded")
# The Chrome trace that /_scope/trace exports opens as a recording: a live server's export draws
# the same requests and stalls; JSON the exporter does not write is refused with its reason.
loopscope_add_test(tst_trace_import LIBS loopscope_recording loopscope_server loopscope_visualizer
    LABELS "trace;server;threaded")
