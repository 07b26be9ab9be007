# Outbound I/O: the upstream simulator, the async client, /weather, /dashboard, /scrape, /files.
loopscope_add_test(tst_outbound
    LIBS loopscope_server Qt6::Network
    LABELS "server;outbound;threaded" TIMEOUT 300)
