# Tracing library suites.
loopscope_add_test(tst_trace LIBS loopscope_trace LABELS "trace;threaded")
