# The database layer against SQLite and against a real PostgreSQL started on loopback.
add_library(loopscope_database_test_support STATIC support/databaseserver.cpp)
target_link_libraries(loopscope_database_test_support
    PUBLIC loopscope_options loopscope_test_support loopscope_server)

loopscope_add_test(tst_database
    LIBS loopscope_database_test_support Qt6::Network Qt6::Sql
    LABELS "database;threaded" TIMEOUT 600)

# PostgreSQL stopped, crashed and restarted under the server.
add_executable(postgres_abort_probe support/postgresabortprobe.cpp)
target_link_libraries(postgres_abort_probe PRIVATE loopscope_options loopscope_test_support)
loopscope_add_test(tst_database_outage
    LIBS loopscope_database_test_support Qt6::Network Qt6::Sql
    LABELS "database;faults;threaded" TIMEOUT 600)
target_compile_definitions(tst_database_outage
    PRIVATE LOOPSCOPE_POSTGRES_ABORT_PROBE="$<TARGET_FILE:postgres_abort_probe>")
add_dependencies(tst_database_outage postgres_abort_probe)

# Every stored resource read twice answers the same, on SQLite and PostgreSQL.
loopscope_add_test(tst_rereads
    LIBS loopscope_database_test_support Qt6::Network Qt6::Sql
    LABELS "database;threaded")
