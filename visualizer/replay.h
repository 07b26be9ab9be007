#pragma once

#include "timelinemodel.h"
#include "timemapping.h"
#include "trace.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace loopscope::viz {

// What the session was doing at one instant, read off the timeline's spans: the requests in
// flight and where each one was, and who had the loop.
struct ReplayState
{
    Nanos at = 0;
    std::vector<std::uint64_t> unread; // sent, not read by the server yet
    std::vector<std::uint64_t> queued; // read, handler not started
    std::vector<std::uint64_t> awaiting; // suspended in an await, the loop free for others
    std::vector<std::uint64_t> onWorker; // its work on the pool or a database worker
    std::uint64_t onLoop = 0; // the request or task running on the loop; 0 = the loop is idle
    bool loopBlocked = false; // onLoop is inside a blocking call
    int inFlight() const
    {
        return int(unread.size() + queued.size() + awaiting.size() + onWorker.size())
            + (onLoop ? 1 : 0);
    }
};
ReplayState replayStateAt(const TimelineModel &model, Nanos at);

// Plays a recorded session back into a timeline model as it happened: the model holds exactly
// the events up to the play head, and its "now" is the play head, so every view of it (lanes,
// open spans, the loop-lag strip, stalls growing, the inspector) shows the session at that
// instant as it was seen live. Forward play feeds the next events; a jump back rebuilds from
// the start. state() says what was true at the play head, which the whole recording knows
// better than the live view did: a request still unread in its socket during a stall is counted
// there, though its lane appears only once the server read it, as it did live.
class Replay : public QObject
{
    Q_OBJECT
public:
    static constexpr std::array<double, 7> kSpeeds { 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0 };

    // events: the recording's, in the order the trace recorded them.
    // threadNames: the recording's, so database jobs find their lanes.
    Replay(TimelineModel &model, std::vector<trace::Event> events,
        std::function<QString(std::uint32_t)> threadNames, QObject *parent = nullptr);

    Nanos begin() const { return m_begin; }
    Nanos end() const { return m_end; }
    Nanos position() const { return m_position; }
    bool isPlaying() const { return m_timer.isActive(); }
    double speed() const { return m_speed; }
    ReplayState state() const { return replayStateAt(wholeRecording(), m_position); }
    // Every event of the recording: what was true at any instant. At the end the fed model is
    // that already; the second one is built the first time the play head is anywhere else.
    const TimelineModel &wholeRecording() const;

    void seek(Nanos position);
    void play(); // from the start again when at the end
    void pause();
    void setSpeed(double speed); // clamped to kSpeeds' range
    // To the previous or next instant at which something happened.
    void stepForward();
    void stepBack();

Q_SIGNALS:
    void positionChanged(qint64 position);
    void playingChanged(bool playing);

private:
    void advance();
    void feedTo(Nanos position);
    void orderByTime();

    TimelineModel &m_model;
    std::function<QString(std::uint32_t)> m_threadNames;
    mutable std::unique_ptr<TimelineModel> m_whole;
    std::vector<trace::Event> m_events; // as recorded until orderByTime(), then in time order
    bool m_inTimeOrder = false;
    std::size_t m_fed = 0; // events [0, m_fed) are in the model
    Nanos m_begin = 0;
    Nanos m_end = 0;
    Nanos m_position = 0;
    double m_speed = 1.0;
    QTimer m_timer;
    QElapsedTimer m_sinceTick;
};

} // namespace loopscope::viz
