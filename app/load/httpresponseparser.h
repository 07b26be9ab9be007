#pragma once

#include <QtGlobal>

#include <string>

namespace loopscope::load {

// Incremental HTTP/1.x response parser for the load client. It keeps only the
// header block (reused buffer, no allocation once warm) and counts body bytes
// without storing them: the generator never needs the body, only its size and
// where the response ends (Content-Length, chunked, or end of connection).
class HttpResponseParser
{
public:
    enum class Result
    {
        NeedMore,
        Complete,
        Error
    };

    void reset(bool headRequest);
    // Feeds received bytes. Bytes past the end of the response are counted as
    // trailing garbage (we never pipeline, so there should be none).
    Result feed(const char *data, size_t length);
    // The peer closed the connection: completes a read-until-close body.
    Result finishOnEof();

    bool headersDone() const { return m_state != State::Headers; }
    int status() const { return m_status; }
    qint64 bodyBytes() const { return m_bodyBytes; }
    // The connection may carry another request after this response.
    bool reusable() const { return m_keepAlive && !m_trailingGarbage; }

private:
    enum class State
    {
        Headers,
        Length,
        UntilClose,
        ChunkSize,
        ChunkExtension,
        ChunkData,
        ChunkDataEnd,
        Trailer,
        TrailerLine,
        TrailerEnd,
        Done,
    };

    Result parseHeaderBlock(size_t headerEnd);
    Result feedBody(const char *data, size_t length);
    Result complete(size_t unconsumed);

    std::string m_header;
    State m_state = State::Headers;
    bool m_head = false;
    bool m_keepAlive = true;
    bool m_trailingGarbage = false;
    int m_status = 0;
    qint64 m_remaining = 0;
    qint64 m_bodyBytes = 0;
};

} // namespace loopscope::load
