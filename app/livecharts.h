#pragma once

#include <QWidget>
#include <array>
#include <deque>

class QLineSeries;
class QChart;
class QValueAxis;

namespace loopscope {

class LoadController;
class ServerHost;

// Four live plots over the last minute: requests/s, latency p50/p99, in-flight requests and
// loop lag. Sampled four times a second from the server's counters and the load generator.
class LiveCharts : public QWidget
{
    Q_OBJECT
public:
    LiveCharts(ServerHost &host, const LoadController &load, QWidget *parent = nullptr);

private:
    struct Plot
    {
        QChart *chart = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QList<QLineSeries *> series;
    };
    Plot addPlot(const QString &title, const QString &unit, const QStringList &names);
    void sample();
    void append(Plot &plot, int index, double value);

    ServerHost &m_host;
    const LoadController &m_load;
    Plot m_throughput;
    Plot m_latency;
    Plot m_inFlight;
    Plot m_lag;
    double m_seconds = 0; // plotted time: advances only while something happens
    bool m_wasIdle = false;
    std::deque<quint64> m_requestHistory; // request counts of the last samples
};

} // namespace loopscope
