#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loopscope::load {

LatencyHistogram::LatencyHistogram()
    : m_counts(kBucketCount, 0)
{ }

int LatencyHistogram::bucketIndex(quint64 value)
{
    if (value < quint64(kLinearLimit))
        return int(value);
    const int exponent = 63 - std::countl_zero(value); // >= 8
    const int shift = exponent - kSubBucketBits;
    const int sub = int(value >> shift) - kSubBuckets; // 0..127
    return kLinearLimit + (exponent - 8) * kSubBuckets + sub;
}

quint64 LatencyHistogram::bucketLowest(int index)
{
    if (index < kLinearLimit)
        return quint64(index);
    const int rel = index - kLinearLimit;
    const int exponent = 8 + rel / kSubBuckets;
    const int shift = exponent - kSubBucketBits;
    return quint64(kSubBuckets + rel % kSubBuckets) << shift;
}

quint64 LatencyHistogram::bucketWidth(int index)
{
    if (index < kLinearLimit)
        return 1;
    const int exponent = 8 + (index - kLinearLimit) / kSubBuckets;
    return quint64(1) << (exponent - kSubBucketBits);
}

void LatencyHistogram::record(qint64 value)
{
    if (value < 0)
        value = 0; // clock granularity can make a difference of two stamps dip below 0
    const int index = bucketIndex(quint64(value));
    ++m_counts[size_t(index)];
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    ++m_count;
    m_lowestIndex = std::min(m_lowestIndex, index);
    m_highestIndex = std::max(m_highestIndex, index);
    const double v = double(value);
    m_sum += v;
    m_sumSquares += v * v;
}

void LatencyHistogram::add(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (int i = other.m_lowestIndex; i <= other.m_highestIndex; ++i)
        m_counts[size_t(i)] += other.m_counts[size_t(i)];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = m_count ? std::max(m_max, other.m_max) : other.m_max;
    m_count += other.m_count;
    m_lowestIndex = std::min(m_lowestIndex, other.m_lowestIndex);
    m_highestIndex = std::max(m_highestIndex, other.m_highestIndex);
    m_sum += other.m_sum;
    m_sumSquares += other.m_sumSquares;
}

void LatencyHistogram::reset()
{
    if (m_highestIndex >= 0)
        std::fill(m_counts.begin() + m_lowestIndex, m_counts.begin() + m_highestIndex + 1, 0);
    m_count = 0;
    m_min = m_max = 0;
    m_lowestIndex = kBucketCount;
    m_highestIndex = -1;
    m_sum = m_sumSquares = 0;
}

double LatencyHistogram::mean() const
{
    return m_count ? m_sum / double(m_count) : 0.0;
}

double LatencyHistogram::stddev() const
{
    if (m_count < 2)
        return 0.0;
    const double mu = mean();
    const double variance = m_sumSquares / double(m_count) - mu * mu;
    return variance > 0 ? std::sqrt(variance) : 0.0;
}

qint64 LatencyHistogram::representative(int index) const
{
    // The midpoint halves the worst-case error; clamping to the exact extremes
    // makes p0/p100 exact and keeps a single-sample histogram exact.
    const quint64 mid = bucketLowest(index) + (bucketWidth(index) - 1) / 2;
    return std::clamp(qint64(mid), m_min, m_max);
}

qint64 LatencyHistogram::valueAtPercentile(double percentile) const
{
    qint64 out = 0;
    valuesAtPercentiles(&percentile, &out, 1);
    return out;
}

void LatencyHistogram::valuesAtPercentiles(const double *percentiles, qint64 *out, size_t n) const
{
    if (m_count == 0) {
        std::fill(out, out + n, 0);
        return;
    }
    size_t next = 0;
    quint64 cumulative = 0;
    // The epsilon keeps p=99 of 1000 samples at rank 990, not 991 after rounding.
    for (int i = m_lowestIndex; i <= m_highestIndex && next < n; ++i) {
        cumulative += m_counts[size_t(i)];
        while (next < n) {
            const double p = std::clamp(percentiles[next], 0.0, 100.0);
            const auto rank
                = std::max<quint64>(1, quint64(std::ceil(p * double(m_count) / 100.0 - 1e-9)));
            if (cumulative < rank)
                break;
            out[next++] = representative(i);
        }
    }
    for (; next < n; ++next)
        out[next] = m_max;
}

} // namespace loopscope::load
