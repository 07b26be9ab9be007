#pragma once

#include "httplimits.h"
#include "httprequest.h"

#include <QByteArrayView>

namespace loopscope::http {

// Parses one HTTP/1.x request from the front of a byte buffer. Pure and socket-free so it can
// be unit-tested and fuzzed directly.
//
// Resumable, so that the work stays linear in the bytes received however the client splits
// them: a request is usually fed in pieces, and each call examines only the bytes that arrived
// since the previous one. Between two calls for the same request `data` must start at the same
// byte and hold at least what it held before (the connection appends to its buffer). After
// Complete or Error the parser starts over, with the next request at the front of `data`.
class HttpParser
{
public:
    enum class Status
    {
        NeedMore,
        Complete,
        Error
    };

    struct Result
    {
        Status status = Status::NeedMore;
        qsizetype consumed = 0; // bytes of the buffer that made up the request (Complete only)
        int errorStatus = 0; // HTTP status to answer with (Error only)
        QByteArray errorDetail;
        // Set by the one call that completed the header section of a request whose body is
        // still to come (NeedMore only): the moment to answer `Expect: 100-continue`.
        bool awaitingBody = false;
    };

    explicit HttpParser(const HttpLimits &limits)
        : m_limits(limits)
    { }

    Result parse(QByteArrayView data, HttpRequest &out);
    // Forgets the request in progress: the next call starts a new one.
    void reset();

    // The request in progress as far as it was parsed: after `awaitingBody` its whole head, and
    // after an Error the fields before the faulty one (an error answer echoes its X-Request-Id).
    const HttpRequest &current() const { return m_request; }
    // Bytes looked at since construction, counted where they are scanned, checked or copied:
    // the measure that shows the work is linear in the input.
    quint64 examinedBytes() const { return m_examined; }

private:
    enum class Phase
    {
        RequestLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers
    };

    // The next complete line from where the last one ended, or false when it is still
    // unterminated; `line` excludes the CR LF (or bare LF).
    bool nextLine(QByteArrayView data, QByteArrayView &line);
    Result parseRequestLine(QByteArrayView line);
    Result parseHeaderLine(QByteArrayView line);
    Result endOfHead(qsizetype bodyStart);
    Result parseChunkSize(QByteArrayView line);
    Result fail(int status, const char *detail);
    Result finish(qsizetype consumed, HttpRequest &out);

    HttpLimits m_limits;
    Phase m_phase = Phase::RequestLine;
    qsizetype m_lineStart = 0; // first byte of the line being read
    qsizetype m_scanned = 0; // bytes from m_lineStart on already searched for its end
    qsizetype m_headStart = 0; // the request line's first byte, after stray empty lines
    qsizetype m_bodyStart = 0;
    qint64 m_contentLength = 0;
    qint64 m_chunkRemaining = 0;
    qsizetype m_trailerStart = 0;
    bool m_sawContentLength = false;
    bool m_chunked = false;
    int m_hostFields = 0;
    QByteArray m_connection;
    HttpRequest m_request;
    quint64 m_examined = 0;
};

} // namespace loopscope::http
