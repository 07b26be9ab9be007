#pragma once

#include <QtGlobal>
#include <algorithm>
#include <optional>

namespace loopscope {

// Deliberately naive trial division: the point is CPU time, predictable and proportional to n.
inline qint64 countPrimes(qint64 from, qint64 to)
{
    qint64 count = 0;
    for (qint64 candidate = std::max<qint64>(from, 2); candidate <= to; ++candidate) {
        bool prime = true;
        for (qint64 divisor = 2; divisor * divisor <= candidate; ++divisor) {
            if (candidate % divisor == 0) {
                prime = false;
                break;
            }
        }
        count += prime;
    }
    return count;
}

// Candidates per slice of the async variant, which yields to the loop after each: near
// n = 20,000,000 a slice takes tens of milliseconds.
constexpr qint64 primeSlice = 20'000;
// Candidates between two checks of the synchronous count (cancelled? asked to let the GIL go?):
// under a millisecond even near n = 20,000,000, as CPython checks every few bytecodes.
constexpr qint64 checkSlice = 500;

// countPrimes(2, n), asking `stop()` before each check slice; nullopt once it says so.
template <typename Stop> std::optional<qint64> countPrimesUnless(qint64 n, Stop stop)
{
    qint64 count = 0;
    for (qint64 from = 2; from <= n; from += checkSlice) {
        if (stop())
            return std::nullopt;
        count += countPrimes(from, std::min(n, from + checkSlice - 1));
    }
    return count;
}

} // namespace loopscope
