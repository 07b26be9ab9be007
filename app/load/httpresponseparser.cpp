#include "httpresponseparser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace loopscope::load {

namespace {
constexpr size_t kMaxHeaderBytes = 64 * 1024;

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return (x | 0x20) == (y | 0x20);
    });
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle)
{
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        if (equalsIgnoreCase(haystack.substr(i, needle.size()), needle))
            return true;
    }
    return false;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = char(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}
} // namespace

void HttpResponseParser::reset(bool headRequest)
{
    m_header.clear(); // keeps capacity
    m_state = State::Headers;
    m_head = headRequest;
    m_keepAlive = true;
    m_trailingGarbage = false;
    m_status = 0;
    m_remaining = 0;
    m_bodyBytes = 0;
}

HttpResponseParser::Result HttpResponseParser::feed(const char *data, size_t length)
{
    if (m_state == State::Done) {
        m_trailingGarbage = m_trailingGarbage || length > 0;
        return Result::Complete;
    }
    if (m_state != State::Headers)
        return feedBody(data, length);

    const size_t searchFrom = m_header.size() >= 3 ? m_header.size() - 3 : 0;
    m_header.append(data, length);
    const size_t end = m_header.find("\r\n\r\n", searchFrom);
    if (end == std::string::npos)
        return m_header.size() > kMaxHeaderBytes ? Result::Error : Result::NeedMore;

    const size_t headerEnd = end + 4;
    const size_t bodyInHeaderBuffer = m_header.size() - headerEnd;
    const Result r = parseHeaderBlock(headerEnd);
    if (r == Result::Error)
        return r;
    if (m_state == State::Headers) {
        // An interim 1xx response: what follows is the real one.
        std::string rest = m_header.substr(headerEnd);
        m_header.clear();
        return rest.empty() ? Result::NeedMore : feed(rest.data(), rest.size());
    }
    // Body bytes that arrived together with the headers; they stay valid because
    // feedBody only reads them.
    const char *body = m_header.data() + headerEnd;
    return feedBody(body, bodyInHeaderBuffer);
}

HttpResponseParser::Result HttpResponseParser::parseHeaderBlock(size_t headerEnd)
{
    const std::string_view block(m_header.data(), headerEnd - 4);
    size_t lineEnd = block.find("\r\n");
    const std::string_view statusLine = block.substr(0, lineEnd);
    // "HTTP/1.1 200 OK"
    if (statusLine.size() < 12 || statusLine.substr(0, 7) != "HTTP/1." || statusLine[8] != ' ')
        return Result::Error;
    const bool http10 = statusLine[7] == '0';
    int status = 0;
    const auto [ptr, ec] = std::from_chars(statusLine.data() + 9, statusLine.data() + 12, status);
    if (ec != std::errc() || ptr != statusLine.data() + 12 || status < 100 || status > 999)
        return Result::Error;
    m_status = status;
    m_keepAlive = !http10;

    qint64 contentLength = -1;
    bool chunked = false;
    size_t pos = lineEnd == std::string_view::npos ? block.size() : lineEnd + 2;
    while (pos < block.size()) {
        lineEnd = block.find("\r\n", pos);
        if (lineEnd == std::string_view::npos)
            lineEnd = block.size();
        const std::string_view line = block.substr(pos, lineEnd - pos);
        pos = lineEnd + 2;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "content-length")) {
            qint64 n = -1;
            const auto res = std::from_chars(value.data(), value.data() + value.size(), n);
            if (res.ec != std::errc() || n < 0)
                return Result::Error;
            contentLength = n;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            chunked = containsIgnoreCase(value, "chunked");
        } else if (equalsIgnoreCase(name, "connection")) {
            if (containsIgnoreCase(value, "close"))
                m_keepAlive = false;
            else if (containsIgnoreCase(value, "keep-alive"))
                m_keepAlive = true;
        }
    }

    if (status >= 100 && status < 200 && status != 101)
        return Result::NeedMore; // stays in Headers
    if (m_head || status == 204 || status == 304) {
        m_state = State::Length;
        m_remaining = 0;
    } else if (chunked) {
        m_state = State::ChunkSize;
        m_remaining = 0;
    } else if (contentLength >= 0) {
        m_state = State::Length;
        m_remaining = contentLength;
    } else {
        m_state = State::UntilClose;
        m_keepAlive = false;
    }
    return Result::NeedMore;
}

HttpResponseParser::Result HttpResponseParser::complete(size_t unconsumed)
{
    m_state = State::Done;
    m_trailingGarbage = unconsumed > 0;
    return Result::Complete;
}

HttpResponseParser::Result HttpResponseParser::feedBody(const char *data, size_t length)
{
    size_t i = 0;
    while (true) {
        switch (m_state) {
        case State::Length: {
            const qint64 take = std::min<qint64>(m_remaining, qint64(length - i));
            m_remaining -= take;
            m_bodyBytes += take;
            i += size_t(take);
            if (m_remaining == 0)
                return complete(length - i);
            return Result::NeedMore;
        }
        case State::UntilClose:
            m_bodyBytes += qint64(length - i);
            return Result::NeedMore;
        case State::ChunkData: {
            const qint64 take = std::min<qint64>(m_remaining, qint64(length - i));
            m_remaining -= take;
            m_bodyBytes += take;
            i += size_t(take);
            if (m_remaining > 0)
                return Result::NeedMore;
            m_state = State::ChunkDataEnd;
            break;
        }
        case State::Done:
            return complete(length - i);
        case State::Headers:
            return Result::Error;
        default:
            break;
        }
        if (i >= length)
            return Result::NeedMore;
        const char c = data[i++];
        switch (m_state) {
        case State::ChunkSize: {
            const int digit = hexValue(c);
            if (digit >= 0) {
                if (m_remaining > (qint64(1) << 40))
                    return Result::Error;
                m_remaining = m_remaining * 16 + digit;
            } else if (c == ';' || c == ' ' || c == '\t' || c == '\r') {
                m_state = State::ChunkExtension;
            } else if (c == '\n') {
                m_state = m_remaining > 0 ? State::ChunkData : State::Trailer;
            } else {
                return Result::Error;
            }
            break;
        }
        case State::ChunkExtension:
            if (c == '\n')
                m_state = m_remaining > 0 ? State::ChunkData : State::Trailer;
            break;
        case State::ChunkDataEnd:
            if (c == '\n') {
                m_state = State::ChunkSize;
                m_remaining = 0;
            }
            break;
        case State::Trailer:
            if (c == '\n')
                return complete(length - i);
            m_state = c == '\r' ? State::TrailerEnd : State::TrailerLine;
            break;
        case State::TrailerEnd:
            if (c == '\n')
                return complete(length - i);
            m_state = State::TrailerLine;
            break;
        case State::TrailerLine:
            if (c == '\n')
                m_state = State::Trailer;
            break;
        default:
            break;
        }
    }
}

HttpResponseParser::Result HttpResponseParser::finishOnEof()
{
    if (m_state == State::UntilClose || m_state == State::Done) {
        m_state = State::Done;
        m_keepAlive = false;
        return Result::Complete;
    }
    return Result::Error;
}

} // namespace loopscope::load
