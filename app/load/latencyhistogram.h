#pragma once

#include <QtGlobal>

#include <array>
#include <cstdint>
#include <vector>

namespace loopscope::load {

// Log-linear histogram of non-negative integer values (nanoseconds here), in the
// spirit of HdrHistogram: values below 256 get their own bucket, above that every
// power of two is split into 128 equal sub-buckets. A bucket's width is therefore
// at most 1/128 of its lower bound, and reporting its midpoint keeps the relative
// error under 0.4% (the issue asks for <= 1%). Memory is fixed (7424 counters)
// whatever the number or range of samples. Mean and standard deviation come from
// exact running sums, min and max are exact.
class LatencyHistogram
{
public:
    static constexpr int kSubBucketBits = 7;
    static constexpr int kSubBuckets = 1 << kSubBucketBits; // 128
    static constexpr int kLinearLimit = 2 * kSubBuckets; // 256
    static constexpr int kBucketCount = kLinearLimit + (64 - 8) * kSubBuckets;

    LatencyHistogram();

    void record(qint64 value);
    void add(const LatencyHistogram &other);
    void reset();

    qint64 count() const { return m_count; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_count ? m_max : 0; }
    double mean() const;
    double stddev() const;

    // Value at or below which `percentile` % of the samples fall (nearest rank,
    // as HdrHistogram and a sorted array's element ceil(p/100*n)-1). 0 when empty.
    qint64 valueAtPercentile(double percentile) const;

    // Several percentiles in one pass over the counters; `percentiles` ascending.
    template <size_t N>
    std::array<qint64, N> valuesAtPercentiles(const std::array<double, N> &percentiles) const
    {
        std::array<qint64, N> out {};
        valuesAtPercentiles(percentiles.data(), out.data(), N);
        return out;
    }
    void valuesAtPercentiles(const double *percentiles, qint64 *out, size_t n) const;

    static int bucketIndex(quint64 value);
    static quint64 bucketLowest(int index);
    static quint64 bucketWidth(int index);

private:
    qint64 representative(int index) const;

    std::vector<quint64> m_counts;
    qint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    int m_lowestIndex = kBucketCount; // used range, so reset and scans stay cheap
    int m_highestIndex = -1;
    double m_sum = 0;
    double m_sumSquares = 0;
};

} // namespace loopscope::load
