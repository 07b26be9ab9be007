// What a crashing test does to its PostgreSQL fixture: starts one, prints "<port> <directory>",
// then aborts without destroying it. tst_database_outage checks the cluster does not outlive it.
#include "support/postgresfixture.h"

#include <QCoreApplication>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    loopscope::testing::PostgresFixture postgres;
    if (!postgres.start()) {
        std::fprintf(stderr, "%s\n", qPrintable(postgres.errorMessage()));
        return 2;
    }
    std::printf("%u %s\n", unsigned(postgres.port()), qPrintable(postgres.directory()));
    std::fflush(stdout);
    std::abort();
}
