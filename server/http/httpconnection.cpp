#include "httpconnection.h"

#include "requestids.h"
#include "stampedread.h"
#include "trace/trace.h"

#include <QDeadlineTimer>
#include <QPointer>
#include <cerrno>
#include <sys/socket.h>

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
    , m_socket(int(socketDescriptor), this,
          { [this] { onReadyRead(); },
              [this] {
                  // A client reading a long answer slowly is active, not idle.
                  m_lastActivityMs = monotonicMs();
                  pumpStream();
                  resumeIfRelieved();
              },
              [this] { onDisconnected(); } })
    , m_id(id)
    , m_handler(handler)
    , m_limits(limits)
    , m_stats(stats)
    , m_parser(limits)
    , m_lastActivityMs(monotonicMs())
{
    ++m_stats.openConnections;
    ++m_stats.acceptedConnections;
}

HttpConnection::~HttpConnection()
{
    m_clientGone->store(true);
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
    if (m_paused) {
        // Leave bytes in the kernel: that is the back-pressure on a client that pipelines
        // faster than we answer or reads.
        m_socket.setReading(false);
        return;
    }
    const int descriptor = m_socket.descriptor();
    if (descriptor < 0 || m_inputEnded)
        return;
    // Read through a stack chunk so the buffer holds exactly what arrived.
    char chunk[4096];
    for (;;) {
        trace::Nanos arrived = 0;
        const ssize_t received = receiveStamped(descriptor, chunk, sizeof chunk, arrived);
        if (received > 0) {
            keep(QByteArrayView(chunk, received), arrived);
            if (received < ssize_t(sizeof chunk))
                break;
        } else if (received == 0) {
            // The client shut its sending side, or closed: either way it sends nothing more,
            // and a client that only half-closed still waits for its answers.
            m_inputEnded = true;
            break;
        } else if (errno != EINTR) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            m_socket.abort(); // reset: the client is gone, and so is this connection
            return;
        }
    }
    parseBuffered();
}

void HttpConnection::keep(QByteArrayView received, trace::Nanos arrived)
{
    // After a closing request, an error or during shutdown what the client still sends is read
    // and dropped: closing with unread bytes would reset the connection, and a reset makes the
    // client's kernel discard the answer it has not read yet.
    if (m_noMoreRequests)
        return;
    m_buffer.append(received);
    m_arrivals.received(std::size_t(received.size()), arrived);
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
            if (result.awaitingBody)
                answerExpectation(m_parser.current());
            break;
        }
        if (result.status == HttpParser::Status::Error) {
            failProtocol(result.errorStatus, result.errorDetail);
            return;
        }
        m_partialRequestSinceMs = -1;
        m_bufferOffset += result.consumed;
        const trace::Nanos arrived = m_arrivals.next();
        m_arrivals.consume(std::size_t(result.consumed));
        const bool closeAfter = !request.keepAlive;
        if (closeAfter)
            m_noMoreRequests = true; // nothing after a closing request is read, let alone run
        serve(std::move(request), m_nextSequence++, arrived);
    }
    if (m_bufferOffset == m_buffer.size()) {
        m_buffer.clear();
        m_bufferOffset = 0;
    } else if (m_bufferOffset > 64 * 1024) {
        m_buffer.remove(0, m_bufferOffset);
        m_bufferOffset = 0;
    }
    // Every complete request the client sent before it stopped is running or answered; an
    // unfinished one never will be. Close after the last answer.
    if (m_inputEnded && !m_paused && !m_closing)
        closeWhenDone();
    // Read on while requests may come; an ended input stays readable and would wake us
    // without end.
    m_socket.setReading(!m_paused && !m_inputEnded && !m_closedEmitted);
}

void HttpConnection::answerExpectation(const HttpRequest &head)
{
    // Only an HTTP/1.1 client that asked waits (RFC 9110 section 10.1.1); the parser reports a
    // head once, and only while none of its body has arrived.
    if (!head.expectsContinue || head.minorVersion != 1)
        return;
    if (std::optional<HttpResponse> refusal = m_handler.refusalBeforeBody(head)) {
        // The body stays unsent or unread, and would be parsed as the next request: the
        // connection closes after the refusal, as uvicorn's h11 does when it answers a request
        // whose body it did not read (nginx instead reads and discards it for a while).
        HttpRequest refused = head;
        refused.keepAlive = false;
        m_noMoreRequests = true;
        m_partialRequestSinceMs = -1;
        const trace::Nanos arrived = m_arrivals.next();
        m_buffer.clear();
        m_bufferOffset = 0;
        m_arrivals.clear();
        m_parser.reset();
        serve(std::move(refused), m_nextSequence++, arrived, std::move(refusal));
        return;
    }
    // Queued like an answer, so it never overtakes the answers to earlier pipelined requests.
    m_pending.push_back({});
    complete(m_nextSequence++, QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"), false);
}

void HttpConnection::serve(
    HttpRequest request, quint64 sequence, trace::Nanos arrived, std::optional<HttpResponse> answer)
{
    m_pending.push_back({});
    ++m_stats.requests;
    ++m_stats.inFlightRequests;
    IncomingRequest incoming = admitRequest(std::move(request), m_id, arrived);
    incoming.clientGone = m_clientGone;
    if (answer) {
        static const std::uint32_t refusedLabel = trace::label("<unmatched>");
        trace::record(trace::Kind::RequestParsed, incoming.span, refusedLabel);
        respond(sequence, incoming, std::move(*answer));
        return;
    }
    runHandler(std::move(incoming), sequence);
}

QCoro::Task<> HttpConnection::runHandler(IncomingRequest incoming, quint64 sequence)
{
    // `this` may be deleted while the handler is suspended: every access after the await goes
    // through `self`.
    QPointer<HttpConnection> self(this);
    ConnectionStats &stats = m_stats;
    HandledSafely handling(m_handler, incoming);
    HttpResponse response = co_await handling;
    // A dropped answer is counted before the request leaves the in-flight count: a reader that
    // sees nothing in flight then sees every drop (a test read 2 drops for 3 gone clients).
    if (!self || self->m_closedEmitted) {
        ++stats.responsesDropped;
        --stats.inFlightRequests;
        trace::record(trace::Kind::RequestClosed, incoming.span, 0, 0, 0);
        co_return;
    }
    self->respond(sequence, incoming, std::move(response));
}

void HttpConnection::respond(
    quint64 sequence, const IncomingRequest &incoming, HttpResponse response)
{
    --m_stats.inFlightRequests;
    PendingResponse pending;
    pending.bytes = serializeResponse(
        response, incoming.request.keepAlive, incoming.request.minorVersion, incoming.requestId);
    const BodyFraming framing = bodyFraming(response, incoming.request.minorVersion);
    pending.closeAfter = !incoming.request.keepAlive || framing == BodyFraming::UntilClose;
    pending.chunked = framing == BodyFraming::Chunked;
    pending.stream = response.stream;
    pending.span = incoming.span;
    pending.status = response.status;
    const qint64 bodyBytes
        = response.stream ? qMax<qint64>(0, response.stream->size()) : qint64(response.body.size());
    // Recorded before the write so a client never sees an answer the trace or the inspector
    // does not have yet.
    m_handler.responseReady(incoming, response);
    trace::record(trace::Kind::ResponseWritten, incoming.span, 0,
        static_cast<std::uint64_t>(pending.bytes.size() - response.body.size() + bodyBytes),
        response.status);
    // A streamed answer's request lasts until its last piece is sent (finishFront).
    if (!response.stream)
        trace::record(trace::Kind::RequestClosed, incoming.span, 0, 0, response.status);
    complete(sequence, std::move(pending));
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
    if (sequence < m_firstPendingSequence
        || sequence - m_firstPendingSequence >= quint64(m_pending.size()))
        return; // its place was given up when the connection began closing
    PendingResponse &slot = m_pending[qsizetype(sequence - m_firstPendingSequence)];
    slot = std::move(answer);
    slot.ready = true;
    m_readyBytes += slot.bytes.size();
    writeReadyResponses();
}

void HttpConnection::writeReadyResponses()
{
    // Only the front answer streams: later ready ones wait behind it, in request order.
    while (!m_streaming && !m_pending.empty() && m_pending.front().ready) {
        PendingResponse &front = m_pending.front();
        m_readyBytes -= front.bytes.size();
        m_socket.write(std::exchange(front.bytes, {}));
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
    m_lastActivityMs = monotonicMs();
    if (m_streaming) {
        pumpStream();
        return; // closing and reading on wait for the stream's end
    }
    if (m_closing) {
        if (m_pending.empty())
            m_socket.close();
        return;
    }
    resumeIfRelieved();
}

void HttpConnection::pumpStream()
{
    if (!m_streaming || m_pulling || m_closedEmitted)
        return;
    // The cap that bounds a non-reading client: nothing more is produced until it reads, and the
    // socket's `wrote` after its next read brings us back here.
    if (m_socket.bytesHeld() >= m_limits.maxUnsentBytes)
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
    m_socket.write(chunked ? chunkFrame(*piece) : std::move(*piece));
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
    return m_socket.bytesHeld() + m_readyBytes;
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
    parseBuffered(); // reads on from the kernel, where the rest waited
}

void HttpConnection::failProtocol(int status, const QByteArray &detail)
{
    m_stats.countRejection(status);
    m_noMoreRequests = true;
    m_buffer.clear();
    m_bufferOffset = 0;
    m_arrivals.clear();
    // Like every answer it carries an X-Request-Id: the client's when the fields parsed so far
    // hold a printable one. It is traced as a request answered at once, so the timeline and
    // the metrics count it too.
    const QByteArray requestId = requestIdFor(m_parser.current().header("x-request-id"));
    m_parser.reset();
    const HttpResponse response = HttpResponse::detail(status, QString::fromLatin1(detail));
    QByteArray bytes = serializeResponse(response, false, 1, requestId);
    static const std::uint32_t rejectedLabel = trace::label("<rejected>");
    const std::uint64_t span = trace::newSpanId();
    trace::record(trace::Kind::RequestAccepted, span, 0, 0, static_cast<qint64>(m_id));
    trace::recordRequestId(span, requestId);
    trace::record(trace::Kind::RequestParsed, span, rejectedLabel);
    trace::record(
        trace::Kind::ResponseWritten, span, 0, static_cast<std::uint64_t>(bytes.size()), status);
    trace::record(trace::Kind::RequestClosed, span, 0, 0, status);
    m_pending.push_back({});
    complete(m_nextSequence++, std::move(bytes), true);
}

void HttpConnection::enforceTimeouts(qint64 nowMs)
{
    // A streamed answer waiting for its client to read is not being served: the client is idle.
    const bool waitingForClient
        = m_streaming && !m_pulling && m_socket.bytesHeld() >= m_limits.maxUnsentBytes;
    if (m_closedEmitted || (!m_pending.empty() && !waitingForClient))
        return; // a request is being served: its own timeouts apply, not the connection's
    const bool dribbling = m_partialRequestSinceMs >= 0
        && nowMs - m_partialRequestSinceMs > m_limits.requestTimeout.count();
    // Not idle while its request waits unread in the kernel (the loop was blocked, and the sweep
    // came before the read): a scenario lost the last two of ten requests that waited 16 s
    // behind blocking calls to the 15 s keep-alive timeout. A client that stopped reading is
    // idle whatever it sent.
    const bool idle = m_partialRequestSinceMs < 0
        && nowMs - m_lastActivityMs > m_limits.keepAliveTimeout.count()
        && (waitingForClient || !m_socket.hasUnreadBytes());
    if (dribbling) {
        failProtocol(408, "Request Timeout");
    } else if (idle) {
        ++m_stats.idleTimeouts;
        // A client that stopped reading would hold a graceful close open forever.
        if (m_socket.bytesToWrite() > 0)
            m_socket.abort();
        else
            m_socket.close();
    }
}

void HttpConnection::closeWhenDone()
{
    m_noMoreRequests = true;
    m_closing = true;
    if (m_pending.empty())
        m_socket.close();
}

void HttpConnection::onDisconnected()
{
    if (m_closedEmitted)
        return;
    m_closedEmitted = true;
    m_noMoreRequests = true;
    m_clientGone->store(true);
    --m_stats.openConnections;
    emit closed(this);
}

} // namespace loopscope::http
