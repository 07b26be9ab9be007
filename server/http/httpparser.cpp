#include "httpparser.h"

#include "httpsyntax.h"

namespace loopscope::http {

using namespace syntax;
using Status = HttpParser::Status;
using Result = HttpParser::Result;

namespace {

// The framing around the chunks (size lines, extensions) is bounded too, or a client could make
// us buffer without end a body that never grows.
constexpr qsizetype maxChunkLineBytes = 4096;

} // namespace

void HttpParser::reset()
{
    const quint64 examined = m_examined;
    const HttpLimits limits = m_limits;
    *this = HttpParser(limits);
    m_examined = examined;
}

Result HttpParser::fail(int status, const char *detail)
{
    // Keeps what was parsed of the request for current(); the next request line clears it.
    HttpRequest partial = std::move(m_request);
    reset();
    m_request = std::move(partial);
    return { Status::Error, 0, status, QByteArray(detail), false };
}

Result HttpParser::finish(qsizetype consumed, HttpRequest &out)
{
    out = std::move(m_request);
    reset();
    return { Status::Complete, consumed, 0, {}, false };
}

bool HttpParser::nextLine(QByteArrayView data, QByteArrayView &line)
{
    const qsizetype from = m_lineStart + m_scanned;
    const qsizetype newline = data.indexOf('\n', from);
    if (newline < 0) {
        m_examined += quint64(data.size() - from);
        m_scanned = data.size() - m_lineStart;
        return false;
    }
    m_examined += quint64(newline + 1 - from);
    line = data.sliced(m_lineStart, newline - m_lineStart);
    if (line.endsWith('\r'))
        line.chop(1);
    m_lineStart = newline + 1;
    m_scanned = 0;
    return true;
}

Result HttpParser::parse(QByteArrayView data, HttpRequest &out)
{
    bool headEnded = false;
    const auto needMore = [&]() -> Result {
        // Checked only while the body is incomplete: bytes past a complete body belong to the
        // requests pipelined after it.
        const qsizetype maxEncodedBytes
            = 2 * m_limits.maxBodyBytes + m_limits.maxHeaderBytes + maxChunkLineBytes;
        if (m_chunked && data.size() - m_bodyStart > maxEncodedBytes)
            return fail(413, "Request Entity Too Large");
        Result result;
        // Not once body bytes are here: the client did not wait for an interim answer.
        result.awaitingBody = headEnded && data.size() == m_bodyStart;
        return result;
    };
    QByteArrayView line;
    for (;;) {
        switch (m_phase) {
        case Phase::RequestLine: {
            const qsizetype lineStart = m_lineStart;
            if (!nextLine(data, line)) {
                // + 1: the CR of a line end whose LF has not arrived yet is not the line's.
                if (data.size() - m_lineStart > m_limits.maxRequestLineBytes + 1)
                    return fail(414, "Request-URI Too Long");
                return needMore();
            }
            if (line.isEmpty()) {
                // Stray empty lines between pipelined requests are tolerated (RFC 9112
                // section 2.2), within the bound of a head.
                if (m_lineStart > m_limits.maxHeaderBytes)
                    return fail(400, "Invalid HTTP request line");
                continue;
            }
            if (line.size() > m_limits.maxRequestLineBytes)
                return fail(414, "Request-URI Too Long");
            if (Result result = parseRequestLine(line); result.status == Status::Error)
                return result;
            m_headStart = lineStart;
            m_phase = Phase::Headers;
            break;
        }
        case Phase::Headers:
            if (!nextLine(data, line)) {
                if (data.size() - m_headStart > m_limits.maxHeaderBytes)
                    return fail(431, "Request Header Fields Too Large");
                return needMore();
            }
            if (m_lineStart - m_headStart > m_limits.maxHeaderBytes)
                return fail(431, "Request Header Fields Too Large");
            if (line.isEmpty()) {
                if (Result result = endOfHead(m_lineStart); result.status == Status::Error)
                    return result;
                headEnded = true;
            } else if (Result result = parseHeaderLine(line); result.status == Status::Error) {
                return result;
            }
            break;
        case Phase::FixedBody:
            if (data.size() - m_bodyStart < m_contentLength)
                return needMore();
            m_request.body = data.sliced(m_bodyStart, m_contentLength).toByteArray();
            m_examined += quint64(m_contentLength);
            return finish(m_bodyStart + m_contentLength, out);
        case Phase::ChunkSize:
            if (!nextLine(data, line)) {
                if (data.size() - m_lineStart > maxChunkLineBytes + 1)
                    return fail(400, "Invalid chunk size");
                return needMore();
            }
            if (line.size() > maxChunkLineBytes)
                return fail(400, "Invalid chunk size");
            if (Result result = parseChunkSize(line); result.status == Status::Error)
                return result;
            if (m_chunkRemaining == 0) {
                m_trailerStart = m_lineStart;
                m_phase = Phase::Trailers;
            } else {
                m_phase = Phase::ChunkData;
            }
            break;
        case Phase::ChunkData: {
            const qint64 take = qMin<qint64>(m_chunkRemaining, data.size() - m_lineStart);
            m_request.body.append(data.sliced(m_lineStart, take));
            m_examined += quint64(take);
            m_lineStart += take;
            m_chunkRemaining -= take;
            if (m_chunkRemaining > 0)
                return needMore();
            m_phase = Phase::ChunkDataEnd;
            break;
        }
        case Phase::ChunkDataEnd:
            // Exactly CR LF (or a bare LF) after the chunk's data.
            if (!nextLine(data, line)) {
                if (data.size() - m_lineStart >= 2)
                    return fail(400, "Invalid chunk terminator");
                return needMore();
            }
            if (!line.isEmpty())
                return fail(400, "Invalid chunk terminator");
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Trailers:
            if (!nextLine(data, line)) {
                if (data.size() - m_trailerStart > m_limits.maxHeaderBytes)
                    return fail(431, "Request Header Fields Too Large");
                return needMore();
            }
            if (m_lineStart - m_trailerStart > m_limits.maxHeaderBytes)
                return fail(431, "Request Header Fields Too Large");
            if (line.isEmpty())
                return finish(m_lineStart, out);
            // Trailer fields are checked like header fields, then dropped: nothing reads them.
            m_examined += quint64(line.size());
            if (const qsizetype colon = line.indexOf(':');
                colon <= 0 || !isToken(line.first(colon)) || !isFieldValue(line.sliced(colon + 1)))
                return fail(400, "Invalid trailer field");
            break;
        }
    }
}

Result HttpParser::parseRequestLine(QByteArrayView line)
{
    m_request = HttpRequest();
    m_examined += quint64(line.size());
    // A CR is only part of a line ending; anywhere else it could end a line for one parser and
    // not for another (RFC 9112 section 2.2).
    if (line.contains('\r'))
        return fail(400, "Invalid HTTP request line");
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        return fail(400, "Invalid HTTP request line");
    const QByteArrayView method = line.first(firstSpace);
    QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    if (!isToken(method) || target.contains(' '))
        return fail(400, "Invalid HTTP request line");
    if (version == "HTTP/1.1")
        m_request.minorVersion = 1;
    else if (version == "HTTP/1.0")
        m_request.minorVersion = 0;
    else if (version.startsWith("HTTP/"))
        return fail(505, "HTTP Version Not Supported");
    else
        return fail(400, "Invalid HTTP request line");

    if (target.startsWith("http://") || target.startsWith("https://")) {
        // absolute-form: keep only path and query
        const qsizetype slash = target.indexOf('/', target.indexOf("//") + 2);
        target = slash < 0 ? QByteArrayView("/") : target.sliced(slash);
    }
    if (!target.startsWith('/') && target != "*")
        return fail(400, "Invalid HTTP request target");
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return fail(400, "Invalid HTTP request target");
    }
    m_request.method = method.toByteArray();
    const qsizetype question = target.indexOf('?');
    m_request.path = (question < 0 ? target : target.first(question)).toByteArray();
    m_request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    return {};
}

Result HttpParser::parseHeaderLine(QByteArrayView line)
{
    m_examined += quint64(line.size());
    if (line.front() == ' ' || line.front() == '\t')
        return fail(400, "Obsolete header line folding is not supported");
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(400, "Invalid HTTP header");
    if (static_cast<int>(m_request.headers.size()) >= m_limits.maxHeaderCount)
        return fail(431, "Request Header Fields Too Large");
    const QByteArrayView value = trimmed(line.sliced(colon + 1));
    // RFC 9110 section 5.5: NUL, CR, LF and the other controls but HTAB are never part of a
    // value; a recipient either rejects them or replaces them, and we reject.
    if (!isFieldValue(value))
        return fail(400, "Invalid character in HTTP header value");
    QByteArray name = line.first(colon).toByteArray().toLower();
    if (name == "content-length") {
        qint64 length = 0;
        if (!parseDecimal(value, length) || (m_sawContentLength && length != m_contentLength))
            return fail(400, "Invalid Content-Length header");
        m_sawContentLength = true;
        m_contentLength = length;
    } else if (name == "transfer-encoding") {
        if (value.compare("chunked", Qt::CaseInsensitive) != 0)
            return fail(501, "Unsupported Transfer-Encoding");
        if (m_chunked) // chunked applied twice (RFC 9112 section 6.1): the framing is unclear
            return fail(400, "Invalid Transfer-Encoding header");
        m_chunked = true;
    } else if (name == "connection") {
        if (!m_connection.isEmpty())
            m_connection += ',';
        m_connection += value;
    } else if (name == "host") {
        // RFC 9112 section 3.2: more than one Host, or an invalid one, is answered 400.
        if (++m_hostFields > 1)
            return fail(400, "More than one Host header");
        if (!isHostValue(value))
            return fail(400, "Invalid Host header");
    } else if (name == "expect") {
        m_request.expectsContinue
            = m_request.expectsContinue || listContains(value, "100-continue");
    }
    m_request.headers.emplace_back(std::move(name), value.toByteArray());
    return {};
}

Result HttpParser::endOfHead(qsizetype bodyStart)
{
    if (m_request.minorVersion == 1 && m_hostFields == 0)
        return fail(400, "Missing Host header"); // RFC 9112 section 3.2
    if (m_chunked && m_sawContentLength)
        return fail(400, "Both Content-Length and Transfer-Encoding given");
    if (m_contentLength > m_limits.maxBodyBytes)
        return fail(413, "Request Entity Too Large");
    m_request.keepAlive = m_request.minorVersion == 1 ? !listContains(m_connection, "close")
                                                      : listContains(m_connection, "keep-alive");
    // An HTTP/1.0 message with Transfer-Encoding has faulty framing to an HTTP/1.0 peer in
    // between: it is answered, and the connection closes after it (RFC 9112 section 6.1).
    if (m_chunked && m_request.minorVersion == 0)
        m_request.keepAlive = false;
    m_bodyStart = bodyStart;
    m_lineStart = bodyStart;
    m_phase = m_chunked ? Phase::ChunkSize : Phase::FixedBody;
    return {};
}

Result HttpParser::parseChunkSize(QByteArrayView line)
{
    m_examined += quint64(line.size());
    // chunk-size = 1*HEXDIG, then BWS and chunk extensions after ';' (RFC 9112 section 7.1):
    // no sign, no "0x", no leading space. Digits past the body limit stop adding to the size,
    // so any number of them cannot overflow it.
    qsizetype digits = 0;
    qint64 size = 0;
    for (; digits < line.size(); ++digits) {
        const int digit = hexValue(line[digits]);
        if (digit < 0)
            break;
        if (size <= m_limits.maxBodyBytes)
            size = size * 16 + digit;
    }
    if (digits == 0)
        return fail(400, "Invalid chunk size");
    const QByteArrayView extension = trimmed(line.sliced(digits));
    if (!extension.isEmpty() && (extension.front() != ';' || !isFieldValue(extension)))
        return fail(400, "Invalid chunk size");
    // Compared as a remainder: body size + chunk size could overflow for a huge size.
    if (size > m_limits.maxBodyBytes - m_request.body.size())
        return fail(413, "Request Entity Too Large");
    m_chunkRemaining = size;
    return {};
}

} // namespace loopscope::http
