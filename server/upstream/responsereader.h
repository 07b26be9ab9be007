#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace loopscope::upstream {

// Incremental reader of one HTTP/1.1 response (Content-Length, chunked, or until close).
// Socket-free: the async client and the blocking client feed it the same way. The body is
// capped: a Content-Length over the cap fails before anything is allocated, a chunked or
// close-delimited body fails as soon as it passes it, so memory per response is bounded.
class ResponseReader
{
public:
    explicit ResponseReader(qint64 maxBodyBytes = 10 * 1024 * 1024)
        : m_maxBodyBytes(maxBodyBytes)
    { }

    enum class State
    {
        NeedMore,
        Complete,
        Error
    };

    // Appends bytes; returns the state after them.
    State feed(QByteArrayView data);
    // The peer closed: a response framed by the close is complete now, any other is cut short.
    State finishAtClose();

    State state() const { return m_state; }
    int status() const { return m_status; }
    const QByteArray &body() const { return m_body; }
    bool keepAlive() const { return m_keepAlive; }
    QByteArray errorText() const { return m_error; }
    bool bodyTooLarge() const { return m_bodyTooLarge; } // the Error is the cap
    qint64 maxBodyBytes() const { return m_maxBodyBytes; }
    // Bytes received after the response (a server must not send any; kept for honesty).
    qsizetype leftover() const { return m_buffer.size() - m_offset; }

private:
    State fail(const char *message);
    State parseHead();
    State parseChunks();
    State appendBody(QByteArrayView bytes); // fails once the body would pass the cap
    void compactBuffer(); // drops consumed bytes so the buffer holds only what is unparsed

    enum class Framing
    {
        Unknown,
        Length,
        Chunked,
        UntilClose
    };
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    bool m_headDone = false;
    Framing m_framing = Framing::Unknown;
    qint64 m_remaining = 0;
    int m_status = 0;
    bool m_keepAlive = true;
    QByteArray m_body;
    QByteArray m_error;
    State m_state = State::NeedMore;
    const qint64 m_maxBodyBytes;
    bool m_bodyTooLarge = false;
};

} // namespace loopscope::upstream
