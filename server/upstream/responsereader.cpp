#include "responsereader.h"

#include <QList>

namespace loopscope::upstream {

namespace {
constexpr qsizetype maxHeadBytes = 64 * 1024;
}

ResponseReader::State ResponseReader::fail(const char *message)
{
    m_error = message;
    m_state = State::Error;
    return m_state;
}

ResponseReader::State ResponseReader::appendBody(QByteArrayView bytes)
{
    if (m_body.size() + bytes.size() > m_maxBodyBytes) {
        m_bodyTooLarge = true;
        m_body = QByteArray();
        m_buffer = QByteArray();
        m_offset = 0;
        return fail("response body over the size limit");
    }
    m_body.append(bytes);
    return m_state;
}

void ResponseReader::compactBuffer()
{
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > 64 * 1024) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
}

ResponseReader::State ResponseReader::feed(QByteArrayView data)
{
    if (m_state != State::NeedMore)
        return m_state;
    if (m_headDone && m_framing == Framing::Length && m_buffer.size() == m_offset) {
        // The common case: body bytes go straight to the body.
        const qsizetype take = qMin<qsizetype>(data.size(), m_remaining);
        m_body.append(data.first(take)); // within the cap: the Content-Length was checked
        m_remaining -= take;
        m_buffer.append(data.sliced(take));
        if (m_remaining == 0)
            m_state = State::Complete;
        return m_state;
    }
    m_buffer.append(data);
    if (!m_headDone) {
        if (parseHead() != State::NeedMore || !m_headDone)
            return m_state;
    }
    switch (m_framing) {
    case Framing::Length: {
        const qsizetype take = qMin<qsizetype>(m_buffer.size() - m_offset, m_remaining);
        m_body.append(QByteArrayView(m_buffer).sliced(m_offset, take));
        m_offset += take;
        m_remaining -= take;
        compactBuffer();
        if (m_remaining == 0)
            m_state = State::Complete;
        return m_state;
    }
    case Framing::Chunked:
        parseChunks();
        if (m_state == State::NeedMore)
            compactBuffer();
        return m_state;
    case Framing::UntilClose:
        if (appendBody(QByteArrayView(m_buffer).sliced(m_offset)) == State::NeedMore) {
            m_buffer.clear();
            m_offset = 0;
        }
        return m_state;
    case Framing::Unknown:
        break;
    }
    return m_state;
}

ResponseReader::State ResponseReader::finishAtClose()
{
    if (m_state != State::NeedMore)
        return m_state;
    if (m_headDone && m_framing == Framing::UntilClose) {
        m_keepAlive = false;
        m_state = State::Complete;
        return m_state;
    }
    return fail(m_headDone ? "connection closed in the middle of the body"
                           : "server closed the connection without a response");
}

ResponseReader::State ResponseReader::parseHead()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n", m_offset);
    if (end < 0) {
        if (m_buffer.size() > maxHeadBytes)
            return fail("response headers too large");
        return m_state;
    }
    const QList<QByteArray> lines = m_buffer.mid(m_offset, end - m_offset).split('\n');
    m_offset = end + 4;
    const QByteArray statusLine = lines.constFirst().trimmed();
    if (!statusLine.startsWith("HTTP/1."))
        return fail("not an HTTP/1.x response");
    const QList<QByteArray> parts = statusLine.split(' ');
    bool ok = false;
    m_status = parts.size() >= 2 ? parts[1].toInt(&ok) : 0;
    if (!ok || m_status < 100 || m_status > 999)
        return fail("malformed status line");
    m_keepAlive = statusLine.startsWith("HTTP/1.1");
    qint64 length = -1;
    bool chunked = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            length = value.toLongLong(&ok);
            if (!ok || length < 0)
                return fail("malformed Content-Length");
        } else if (name == "transfer-encoding") {
            chunked = value.toLower().contains("chunked");
        } else if (name == "connection") {
            const QByteArray lower = value.toLower();
            if (lower.contains("close"))
                m_keepAlive = false;
            else if (lower.contains("keep-alive"))
                m_keepAlive = true;
        }
    }
    m_headDone = true;
    if (m_status == 204 || m_status == 304 || m_status < 200) {
        m_framing = Framing::Length;
        m_remaining = 0;
    } else if (chunked) {
        m_framing = Framing::Chunked;
    } else if (length >= 0) {
        // Refused before a byte is allocated: a lying or huge Content-Length fails this call
        // only (it was a std::bad_alloc that failed the whole /scrape).
        if (length > m_maxBodyBytes) {
            m_bodyTooLarge = true;
            return fail("response body over the size limit");
        }
        m_framing = Framing::Length;
        m_remaining = length;
        m_body.reserve(length);
    } else {
        m_framing = Framing::UntilClose;
        m_keepAlive = false;
    }
    if (m_framing == Framing::Length && m_remaining == 0)
        m_state = State::Complete;
    return m_state;
}

ResponseReader::State ResponseReader::parseChunks()
{
    for (;;) {
        if (m_remaining > 0) {
            const qsizetype take = qMin<qsizetype>(m_buffer.size() - m_offset, m_remaining);
            if (appendBody(QByteArrayView(m_buffer).sliced(m_offset, take)) != State::NeedMore)
                return m_state;
            m_offset += take;
            m_remaining -= take;
            if (m_remaining > 0)
                return m_state;
            m_remaining = -2; // the CRLF after the data
        }
        if (m_remaining == -2) {
            if (m_buffer.size() - m_offset < 2)
                return m_state;
            m_offset += 2;
            m_remaining = 0;
        }
        const qsizetype lineEnd = m_buffer.indexOf("\r\n", m_offset);
        if (lineEnd < 0)
            return m_state;
        QByteArray sizeText = m_buffer.mid(m_offset, lineEnd - m_offset);
        if (const qsizetype semicolon = sizeText.indexOf(';'); semicolon >= 0)
            sizeText.truncate(semicolon);
        bool ok = false;
        const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0)
            return fail("malformed chunk size");
        if (size > m_maxBodyBytes - m_body.size()) {
            m_bodyTooLarge = true;
            return fail("response body over the size limit");
        }
        if (size == 0) {
            // Trailers end with an empty line; accept the common case of none.
            const qsizetype trailerEnd = m_buffer.indexOf("\r\n", lineEnd + 2);
            if (trailerEnd < 0)
                return m_state;
            m_offset = trailerEnd + 2;
            m_state = State::Complete;
            return m_state;
        }
        m_offset = lineEnd + 2;
        m_remaining = size;
    }
}

} // namespace loopscope::upstream
