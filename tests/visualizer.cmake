# Timeline: mapping tables, model fed with synthetic events, offscreen rendering
# and interaction. Needs widgets, so it runs on the offscreen platform.
loopscope_add_test(tst_timeline WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
