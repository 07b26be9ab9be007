#pragma once

#include <QtGlobal>

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

} // namespace loopscope
