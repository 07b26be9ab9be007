#include "httpparser.h"

#include <optional>

namespace loopscope::http {

namespace {

using Status = HttpParser::Status;
using Result = HttpParser::Result;

Result error(int status, const char *detail)
{
    return { Status::Error, 0, status, QByteArray(detail) };
}

bool isTokenChar(char c)
{
    // RFC 9110 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

// Finds the end of the line starting at `from`; returns the index of '\n' or -1.
qsizetype lineEnd(QByteArrayView data, qsizetype from)
{
    return data.indexOf('\n', from);
}

QByteArrayView lineAt(QByteArrayView data, qsizetype from, qsizetype newline)
{
    QByteArrayView line = data.sliced(from, newline - from);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

bool headerListContains(QByteArrayView value, QByteArrayView token)
{
    qsizetype start = 0;
    while (start <= value.size()) {
        qsizetype comma = value.indexOf(',', start);
        if (comma < 0)
            comma = value.size();
        if (trimmed(value.sliced(start, comma - start)).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        start = comma + 1;
    }
    return false;
}

std::optional<qint64> parseDecimal(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

Result HttpParser::parse(QByteArrayView data, HttpRequest &out) const
{
    // Tolerate stray empty lines between pipelined requests (RFC 9112 section 2.2).
    qsizetype pos = 0;
    while (pos < data.size() && (data[pos] == '\r' || data[pos] == '\n'))
        ++pos;

    const qsizetype requestLineEnd = lineEnd(data, pos);
    if (requestLineEnd < 0) {
        if (data.size() - pos > m_limits.maxRequestLineBytes)
            return error(414, "Request-URI Too Long");
        return {};
    }
    if (requestLineEnd - pos > m_limits.maxRequestLineBytes)
        return error(414, "Request-URI Too Long");

    const QByteArrayView requestLine = lineAt(data, pos, requestLineEnd);
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        return error(400, "Invalid HTTP request line");
    const QByteArrayView method = requestLine.first(firstSpace);
    QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    if (!isToken(method) || target.contains(' '))
        return error(400, "Invalid HTTP request line");
    if (version == "HTTP/1.1")
        out.minorVersion = 1;
    else if (version == "HTTP/1.0")
        out.minorVersion = 0;
    else if (version.startsWith("HTTP/"))
        return error(505, "HTTP Version Not Supported");
    else
        return error(400, "Invalid HTTP request line");

    if (target.startsWith("http://") || target.startsWith("https://")) {
        // absolute-form: keep only path and query
        const qsizetype slash = target.indexOf('/', target.indexOf("//") + 2);
        target = slash < 0 ? QByteArrayView("/") : target.sliced(slash);
    }
    if (!target.startsWith('/') && target != "*")
        return error(400, "Invalid HTTP request target");
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return error(400, "Invalid HTTP request target");
    }

    out.headers.clear();
    bool sawContentLength = false;
    qint64 contentLength = 0;
    bool chunked = false;
    QByteArrayView connection;
    qsizetype lineStart = requestLineEnd + 1;
    for (;;) {
        const qsizetype end = lineEnd(data, lineStart);
        if (end < 0) {
            if (data.size() - pos > m_limits.maxHeaderBytes)
                return error(431, "Request Header Fields Too Large");
            return {};
        }
        if (end + 1 - pos > m_limits.maxHeaderBytes)
            return error(431, "Request Header Fields Too Large");
        const QByteArrayView line = lineAt(data, lineStart, end);
        lineStart = end + 1;
        if (line.isEmpty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return error(400, "Obsolete header line folding is not supported");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return error(400, "Invalid HTTP header");
        if (static_cast<int>(out.headers.size()) >= m_limits.maxHeaderCount)
            return error(431, "Request Header Fields Too Large");
        QByteArray name = line.first(colon).toByteArray().toLower();
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (name == "content-length") {
            const auto parsed = parseDecimal(value);
            if (!parsed || (sawContentLength && *parsed != contentLength))
                return error(400, "Invalid Content-Length header");
            sawContentLength = true;
            contentLength = *parsed;
        } else if (name == "transfer-encoding") {
            if (value.compare("chunked", Qt::CaseInsensitive) != 0)
                return error(501, "Unsupported Transfer-Encoding");
            chunked = true;
        } else if (name == "connection") {
            connection = value;
        }
        out.headers.emplace_back(std::move(name), value.toByteArray());
    }
    if (chunked && sawContentLength)
        return error(400, "Both Content-Length and Transfer-Encoding given");
    if (contentLength > m_limits.maxBodyBytes)
        return error(413, "Request Entity Too Large");

    out.method = method.toByteArray();
    const qsizetype question = target.indexOf('?');
    out.path = (question < 0 ? target : target.first(question)).toByteArray();
    out.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    out.keepAlive = out.minorVersion == 1 ? !headerListContains(connection, "close")
                                          : headerListContains(connection, "keep-alive");

    if (chunked)
        return parseChunkedBody(data, lineStart, out);
    if (data.size() - lineStart < contentLength)
        return {};
    out.body = data.sliced(lineStart, contentLength).toByteArray();
    return { Status::Complete, lineStart + contentLength, 0, {} };
}

Result HttpParser::parseChunkedBody(QByteArrayView data, qsizetype pos, HttpRequest &out) const
{
    // The framing around the chunks (size lines, extensions, trailers) is bounded too, or a
    // client could make us buffer without end a body that never grows.
    constexpr qsizetype maxChunkLineBytes = 4096;
    // Checked only while the body is incomplete: bytes past a complete body belong to the
    // requests pipelined after it.
    const qsizetype bodyStart = pos;
    const qsizetype maxEncodedBytes
        = 2 * m_limits.maxBodyBytes + m_limits.maxHeaderBytes + maxChunkLineBytes;
    const auto needMore = [&]() -> Result {
        if (data.size() - bodyStart > maxEncodedBytes)
            return error(413, "Request Entity Too Large");
        return {};
    };
    QByteArray body;
    for (;;) {
        const qsizetype end = lineEnd(data, pos);
        if (end < 0) {
            if (data.size() - pos > maxChunkLineBytes)
                return error(400, "Invalid chunk size");
            return needMore();
        }
        if (end - pos > maxChunkLineBytes)
            return error(400, "Invalid chunk size");
        QByteArrayView sizeLine = lineAt(data, pos, end);
        const qsizetype semicolon = sizeLine.indexOf(';');
        if (semicolon >= 0)
            sizeLine = sizeLine.first(semicolon);
        bool ok = false;
        const qint64 chunkSize = trimmed(sizeLine).toLongLong(&ok, 16);
        if (!ok || chunkSize < 0)
            return error(400, "Invalid chunk size");
        // Compared as a remainder: body.size() + chunkSize could overflow for a huge size.
        if (chunkSize > m_limits.maxBodyBytes - body.size())
            return error(413, "Request Entity Too Large");
        pos = end + 1;
        if (chunkSize == 0)
            break;
        if (data.size() - pos < chunkSize + 1)
            return needMore();
        body.append(data.sliced(pos, chunkSize));
        pos += chunkSize;
        const qsizetype chunkEnd = lineEnd(data, pos);
        if (chunkEnd < 0)
            return needMore();
        if (!lineAt(data, pos, chunkEnd).isEmpty())
            return error(400, "Invalid chunk terminator");
        pos = chunkEnd + 1;
    }
    // Trailer section: skip fields up to the empty line.
    const qsizetype trailerStart = pos;
    for (;;) {
        const qsizetype end = lineEnd(data, pos);
        if (end < 0) {
            if (data.size() - trailerStart > m_limits.maxHeaderBytes)
                return error(431, "Request Header Fields Too Large");
            return needMore();
        }
        if (end - trailerStart > m_limits.maxHeaderBytes)
            return error(431, "Request Header Fields Too Large");
        const bool last = lineAt(data, pos, end).isEmpty();
        pos = end + 1;
        if (last)
            break;
    }
    out.body = std::move(body);
    return { Status::Complete, pos, 0, {} };
}

} // namespace loopscope::http
