// loopscope-cpu-worker: one worker process of the /cpu route's process pool (the processpool
// variant, ProcessPoolExecutor's counterpart). Reads a limit per line on stdin, answers the
// number of primes below it on stdout; ends at end of input, when its server let go of it.
#include "routes/primecount.h"

#include <cstdio>
#include <cstdlib>

int main()
{
    char line[64];
    while (std::fgets(line, sizeof line, stdin)) {
        const long long limit = std::strtoll(line, nullptr, 10);
        std::printf("%lld\n", static_cast<long long>(loopscope::countPrimes(2, limit)));
        std::fflush(stdout);
    }
    return 0;
}
