#include "httpconnection.h"

#include "requestids.h"
#include "trace/trace.h"

#include <QDeadlineTimer>
#include <QPointer>

namespace loopscope::http {

namespace {

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

HttpConnection::HttpConnection(qintptr socketDescriptor, quint64 id, RequestHandler &handler,
    const HttpLimits &limits, ConnectionStats &stats, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_handler(handler)
    , m_limits(limits)
    , m_stats(stats)
    , m_parser(limits)
    , m_lastActivityMs(monotonicMs())
{
    // Unbuffered: reads go straight from the kernel into our request buffer and small answers
    // straight into the kernel, instead of through a 16 KiB chunk kept per socket. This keeps
    // an idle-waiting connection small (10,000 of them wait on /async at once).
    m_socket.setSocketDescriptor(socketDescriptor, QAbstractSocket::ConnectedState,
        QIODevice::ReadWrite | QIODevice::Unbuffered);
    // Small answers must not wait for Nagle: a keep-alive client waits for each one.
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(&m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(&m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, [this] {
        // A client reading a long answer slowly is active, not idle.
        m_lastActivityMs = monotonicMs();
        pumpStream();
        resumeIfRelieved();
    });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket.state() != QAbstractSocket::ConnectedState)
            onDisconnected();
    });
    ++m_stats.openConnections;
    ++m_stats.acceptedConnections;
}

HttpConnection::~HttpConnection()
{
    // A closed connection is deleted later, possibly after the stats are gone: it has already
    // counted itself out.
    if (!m_closedEmitted)
        --m_stats.openConnections;
    // Streamed answers the client left before the end of: their requests end here in the trace.
    for (const PendingResponse &answer : m_pending) {
        if (answer.stream && answer.ready)
            trace::record(trace::Kind::RequestClosed, answer.span, 0, 0, answer.status);
    }
}

void HttpConnection::onReadyRead()
{
    m_lastActivityMs = monotonicMs();
    if (m_noMoreRequests || m_paused) {
        // Leave bytes in the socket: that is the back-pressure on a client that pipelines
        // faster than we answer or reads, or that keeps talking after asking us to close.
        return;
    }
    // Read through a stack chunk so the buffer holds exactly what arrived: readAll() on an
    // unbuffered socket allocates 16 KiB per call, which a few thousand waiting requests turn
    // into megabytes of fragmented heap.
    char chunk[4096];
    for (;;) {
        const qint64 received = m_socket.read(chunk, sizeof chunk);
        if (received <= 0)
            break;
        m_buffer.append(chunk, received);
        if (received < qint64(sizeof chunk))
            break;
    }
    parseBuffered();
}

void HttpConnection::parseBuffered()
{
    while (!m_noMoreRequests && m_bufferOffset < m_buffer.size()) {
        if (backPressured()) {
            m_paused = true;
            break;
        }
        HttpRequest request;
        const auto result
            = m_parser.parse(QByteArrayView(m_buffer).sliced(m_bufferOffset), request);
        if (result.status == HttpParser::Status::NeedMore) {
            if (m_partialRequestSinceMs < 0)
                m_partialRequestSinceMs = m_lastActivityMs;
            break;
        }
        if (result.status == HttpParser::Status::Error) {
            failProtocol(result.errorStatus, result.errorDetail);
            return;
        }
        m_partialRequestSinceMs = -1;
        m_bufferOffset += result.consumed;
        const bool closeAfter = !request.keepAlive;
        if (closeAfter)
            m_noMoreRequests = true; // nothing after a closing request is read, let alone run
        serve(std::move(request), m_nextSequence++);
    }
    if (m_bufferOffset == m_buffer.size()) {
        m_buffer.clear();
        m_bufferOffset = 0;
    } else if (m_bufferOffset > 64 * 1024) {
        m_buffer.remove(0, m_bufferOffset);
        m_bufferOffset = 0;
    }
}

QCoro::Task<> HttpConnection::serve(HttpRequest request, quint64 sequence)
{
    // `this` may be deleted while the handler is suspended: every access after the await goes
    // through `self`.
    QPointer<HttpConnection> self(this);
    RequestHandler &handler = m_handler;
    ConnectionStats &stats = m_stats;
    m_pending.push_back({});
    ++stats.requests;
    ++stats.inFlightRequests;

    IncomingRequest incoming;
    incoming.requestId = requestIdFor(request);
    incoming.span = trace::newSpanId();
    incoming.connectionId = m_id;
    incoming.request = std::move(request);
    trace::record(trace::Kind::RequestAccepted, incoming.span, 0, 0, static_cast<qint64>(m_id));
    trace::recordRequestId(incoming.span, incoming.requestId);

    HttpResponse response;
    try {
        response = co_await handler.handle(incoming);
    } catch (const std::exception &error) {
        response = handler.unhandledException(incoming, QString::fromUtf8(error.what()));
    } catch (...) {
        response = handler.unhandledException(incoming, QStringLiteral("unknown exception"));
    }
    --stats.inFlightRequests;

    if (!self || self->m_closedEmitted) {
        ++stats.responsesDropped;
        trace::record(trace::Kind::RequestClosed, incoming.span, 0, 0, 0);
        co_return;
    }
    PendingResponse answer;
    answer.bytes = serializeResponse(
        response, incoming.request.keepAlive, incoming.request.minorVersion, incoming.requestId);
    const BodyFraming framing = bodyFraming(response, incoming.request.minorVersion);
    answer.closeAfter = !incoming.request.keepAlive || framing == BodyFraming::UntilClose;
    answer.chunked = framing == BodyFraming::Chunked;
    answer.stream = response.stream;
    answer.span = incoming.span;
    answer.status = response.status;
    const qint64 bodyBytes
        = response.stream ? qMax<qint64>(0, response.stream->size()) : qint64(response.body.size());
    // Recorded before the write so a client never sees an answer the trace or the inspector
    // does not have yet.
    handler.responseReady(incoming, response);
    trace::record(trace::Kind::ResponseWritten, incoming.span, 0,
        static_cast<std::uint64_t>(answer.bytes.size() - response.body.size() + bodyBytes),
        response.status);
    // A streamed answer's request lasts until its last piece is sent (finishFront).
    if (!response.stream)
        trace::record(trace::Kind::RequestClosed, incoming.span, 0, 0, response.status);
    self->complete(sequence, std::move(answer));
}

void HttpConnection::complete(quint64 sequence, QByteArray bytes, bool closeAfter)
{
    PendingResponse answer;
    answer.bytes = std::move(bytes);
    answer.closeAfter = closeAfter;
    complete(sequence, std::move(answer));
}

void HttpConnection::complete(quint64 sequence, PendingResponse answer)
{
    if (sequence < m_firstPendingSequence || sequence - m_firstPendingSequence >= m_pending.size())
        return; // its place was given up when the connection began closing
    PendingResponse &slot = m_pending[sequence - m_firstPendingSequence];
    slot = std::move(answer);
    slot.ready = true;
    m_readyBytes += slot.bytes.size();
    writeReadyResponses();
}

void HttpConnection::writeReadyResponses()
{
    bool wrote = false;
    // Only the front answer streams: later ready ones wait behind it, in request order.
    while (!m_streaming && !m_pending.empty() && m_pending.front().ready) {
        PendingResponse &front = m_pending.front();
        m_readyBytes -= front.bytes.size();
        m_socket.write(std::exchange(front.bytes, {}));
        wrote = true;
        if (front.stream) {
            m_streaming = true; // finishFront() pops it and comes back here
            break;
        }
        const bool closeAfter = front.closeAfter;
        m_pending.pop_front();
        ++m_firstPendingSequence;
        if (closeAfter) {
            m_closing = true;
            m_pending.clear(); // nothing is answered after a closing response
            m_readyBytes = 0;
            break;
        }
    }
    if (wrote)
        m_socket.flush(); // saves a loop iteration per response
    m_lastActivityMs = monotonicMs();
    if (m_streaming) {
        pumpStream();
        return; // closing and reading on wait for the stream's end
    }
    if (m_closing) {
        if (m_pending.empty())
            m_socket.disconnectFromHost();
        return;
    }
    resumeIfRelieved();
}

void HttpConnection::pumpStream()
{
    if (!m_streaming || m_pulling || m_closedEmitted)
        return;
    // The cap that bounds a non-reading client: nothing more is produced until it reads, and the
    // bytesWritten signal of its next read brings us back here.
    if (m_socket.bytesToWrite() >= m_limits.maxUnsentBytes)
        return;
    m_pulling = true;
    pullPiece(m_pending.front().stream);
}

QCoro::Task<> HttpConnection::pullPiece(std::shared_ptr<BodySource> source)
{
    // As in serve(): the client may leave, and this object go, while the source produces.
    QPointer<HttpConnection> self(this);
    std::optional<QByteArray> piece;
    try {
        piece = co_await source->next();
    } catch (...) {
        piece.reset(); // a producer that throws failed like one that says so
    }
    if (!self || self->m_closedEmitted)
        co_return; // the client left: releasing `source` lets the producer stop
    self->deliverPiece(std::move(piece));
}

void HttpConnection::deliverPiece(std::optional<QByteArray> piece)
{
    m_pulling = false;
    if (!m_streaming || m_pending.empty())
        return;
    if (!piece) {
        m_socket.abort(); // the head promised a body that cannot come: cut it visibly short
        return;
    }
    const bool chunked = m_pending.front().chunked;
    if (piece->isEmpty()) {
        if (chunked)
            m_socket.write(chunkFrame({}));
        finishFront();
        return;
    }
    m_socket.write(chunked ? chunkFrame(*piece) : *piece);
    m_lastActivityMs = monotonicMs();
    // Queued: a source that answers at once (a blocking read) lets the loop serve others between
    // pieces, and the stack does not grow with the body.
    QMetaObject::invokeMethod(this, &HttpConnection::pumpStream, Qt::QueuedConnection);
}

void HttpConnection::finishFront()
{
    const PendingResponse done = std::move(m_pending.front());
    m_pending.pop_front();
    ++m_firstPendingSequence;
    m_streaming = false;
    trace::record(trace::Kind::RequestClosed, done.span, 0, 0, done.status);
    if (done.closeAfter) {
        m_closing = true;
        m_pending.clear(); // nothing is answered after a closing response
        m_readyBytes = 0;
    }
    writeReadyResponses();
}

qint64 HttpConnection::unsentBytes() const
{
    return m_socket.bytesToWrite() + m_readyBytes;
}

bool HttpConnection::backPressured() const
{
    return static_cast<int>(m_pending.size()) >= m_limits.maxPipelinedRequests
        || unsentBytes() > m_limits.maxUnsentBytes;
}

void HttpConnection::resumeIfRelieved()
{
    if (!m_paused || m_noMoreRequests || backPressured())
        return;
    m_paused = false;
    if (m_socket.bytesAvailable() > 0)
        onReadyRead();
    else
        parseBuffered();
}

void HttpConnection::failProtocol(int status, const QByteArray &detail)
{
    m_stats.countRejection(status);
    m_noMoreRequests = true;
    m_buffer.clear();
    m_bufferOffset = 0;
    const HttpResponse response = HttpResponse::detail(status, QString::fromLatin1(detail));
    m_pending.push_back({});
    complete(m_nextSequence++, serializeResponse(response, false, 1, {}), true);
}

void HttpConnection::enforceTimeouts(qint64 nowMs)
{
    // A streamed answer waiting for its client to read is not being served: the client is idle.
    const bool waitingForClient
        = m_streaming && !m_pulling && m_socket.bytesToWrite() >= m_limits.maxUnsentBytes;
    if (m_closedEmitted || (!m_pending.empty() && !waitingForClient))
        return; // a request is being served: its own timeouts apply, not the connection's
    const bool dribbling = m_partialRequestSinceMs >= 0
        && nowMs - m_partialRequestSinceMs > m_limits.requestTimeout.count();
    const bool idle = m_partialRequestSinceMs < 0
        && nowMs - m_lastActivityMs > m_limits.keepAliveTimeout.count();
    if (dribbling) {
        failProtocol(408, "Request Timeout");
    } else if (idle) {
        ++m_stats.idleTimeouts;
        // A client that stopped reading would hold a graceful close open forever.
        if (m_socket.bytesToWrite() > 0)
            m_socket.abort();
        else
            m_socket.disconnectFromHost();
    }
}

void HttpConnection::closeWhenDone()
{
    m_noMoreRequests = true;
    m_closing = true;
    if (m_pending.empty())
        m_socket.disconnectFromHost();
}

void HttpConnection::onDisconnected()
{
    if (m_closedEmitted)
        return;
    m_closedEmitted = true;
    m_noMoreRequests = true;
    --m_stats.openConnections;
    emit closed(this);
}

QByteArray HttpConnection::requestIdFor(const HttpRequest &request)
{
    QByteArray fromClient = request.header("x-request-id");
    return isAcceptableRequestId(fromClient) ? fromClient : generateRequestId();
}

} // namespace loopscope::http
