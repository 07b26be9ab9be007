# Tracing library suites.
loopscope_add_test(tst_trace LIBS loopscope_trace LABELS "trace;threaded")
# Stall attribution: the one rule the server's /_scope/stalls and the timeline share.
loopscope_add_test(tst_stalls LIBS loopscope_trace LABELS "trace")
