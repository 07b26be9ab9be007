# The database layer against SQLite and against a real PostgreSQL started on loopback.
loopscope_add_test(tst_database
    LIBS loopscope_server Qt6::Network Qt6::Sql
    LABELS "database;threaded" TIMEOUT 900)
