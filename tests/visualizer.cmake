# Timeline: mapping tables, model fed with synthetic events, offscreen rendering
# and interaction. Needs widgets, so it runs on the offscreen platform.
loopscope_add_test(tst_timeline WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
# A stall's victims: lanes from the client's send time, the wait unread in the socket, each
# victim's share of each blocking call, and what is said when no send time is known.
loopscope_add_test(tst_timeline_victims WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
# The same against the real server and trace hub; also writes the screenshot when
# LOOPSCOPE_TIMELINE_SCREENSHOT names a PNG file.
loopscope_add_test(tst_timeline_live WIDGETS
    LIBS loopscope_visualizer loopscope_server Qt6::Network
    LABELS "visualizer;server;threaded")
# Lanes that do not fit scroll, a group folds into one row by a click on its title, and a
# selected request is linked by an arrow to the task it spawned.
loopscope_add_test(tst_timeline_lanes WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
# Live/paused and jump to now, the badge of what was recorded while paused, and the keys
# table that the key handler and Help > Keys share.
loopscope_add_test(tst_timeline_controls WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
# Replay: the model and the state at the play head are what the trace says then; play, step,
# seek and the replay bar.
loopscope_add_test(tst_replay WIDGETS
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
# The storage that lets a recording of a million requests open: the span id index against a
# standard map, and the recording's events put in time order as a stable sort would.
loopscope_add_test(tst_timeline_storage
    SOURCES support/timelineevents.h
    LIBS loopscope_visualizer
    LABELS "visualizer")
