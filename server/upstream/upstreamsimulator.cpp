#include "upstreamsimulator.h"

#include "core/crossthread.h"

#include "http/httplimits.h"
#include "http/httpparser.h"
#include "routing/queryparams.h"
#include "serverlogging.h"
#include "trace/trace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <future>
#include <sys/socket.h>
#include <utility>

namespace loopscope::upstream {

namespace {

const QStringList words = {
    QStringLiteral("sunt"),
    QStringLiteral("aut"),
    QStringLiteral("facere"),
    QStringLiteral("repellat"),
    QStringLiteral("provident"),
    QStringLiteral("occaecati"),
    QStringLiteral("excepturi"),
    QStringLiteral("optio"),
    QStringLiteral("reprehenderit"),
    QStringLiteral("quia"),
    QStringLiteral("et"),
    QStringLiteral("suscipit"),
    QStringLiteral("recusandae"),
    QStringLiteral("consequuntur"),
    QStringLiteral("expedita"),
    QStringLiteral("nostrum"),
    QStringLiteral("rerum"),
    QStringLiteral("est"),
    QStringLiteral("autem"),
    QStringLiteral("ut"),
    QStringLiteral("quas"),
    QStringLiteral("totam"),
    QStringLiteral("molestiae"),
    QStringLiteral("architecto"),
};

// Deterministic lorem ipsum, so the same id always has the same text (and length).
QString sentence(int seed, int count)
{
    QStringList out;
    quint32 state = quint32(seed) * 2654435761u + 12345u;
    for (int i = 0; i < count; ++i) {
        state = state * 1103515245u + 12345u;
        out << words[(state >> 16) % words.size()];
    }
    return out.join(u' ');
}

QJsonObject user(int id)
{
    const QString name = sentence(id, 2);
    return { { QStringLiteral("id"), id }, { QStringLiteral("name"), name },
        { QStringLiteral("username"), sentence(id + 7, 1) },
        { QStringLiteral("email"), QStringLiteral("user%1@example.org").arg(id) },
        { QStringLiteral("address"),
            QJsonObject { { QStringLiteral("street"), sentence(id + 3, 2) },
                { QStringLiteral("city"), sentence(id + 5, 1) },
                { QStringLiteral("zipcode"), QStringLiteral("%1-0000").arg(10000 + id) } } },
        { QStringLiteral("phone"), QStringLiteral("1-770-736-80%1").arg(id, 2, 10, QChar(u'0')) },
        { QStringLiteral("website"), QStringLiteral("user%1.example.org").arg(id) } };
}

QJsonObject post(int id)
{
    return { { QStringLiteral("userId"), (id - 1) / 10 + 1 }, { QStringLiteral("id"), id },
        { QStringLiteral("title"), sentence(id * 31, 6) },
        { QStringLiteral("body"), sentence(id * 17, 26) } };
}

QJsonObject comment(int id)
{
    return { { QStringLiteral("postId"), (id - 1) / 5 + 1 }, { QStringLiteral("id"), id },
        { QStringLiteral("name"), sentence(id * 13, 5) },
        { QStringLiteral("email"), QStringLiteral("commenter%1@example.net").arg(id) },
        { QStringLiteral("body"), sentence(id * 7, 22) } };
}

QJsonObject album(int id)
{
    return { { QStringLiteral("userId"), (id - 1) / 10 + 1 }, { QStringLiteral("id"), id },
        { QStringLiteral("title"), sentence(id * 11, 4) } };
}

struct Collection
{
    const char *name;
    int count;
    QJsonObject (*make)(int);
};
const Collection collections[] = {
    { "users", 10, user },
    { "posts", 100, post },
    { "comments", 500, comment },
    { "albums", 100, album },
};

QByteArray pretty(const QJsonDocument &document)
{
    return document.toJson(QJsonDocument::Indented);
}

// The lists are served thousands of times: serialise them once.
const QByteArray &listBody(int collection)
{
    static const auto bodies = [] {
        std::vector<QByteArray> out;
        for (const Collection &c : collections) {
            QJsonArray array;
            for (int id = 1; id <= c.count; ++id)
                array.append(c.make(id));
            out.push_back(pretty(QJsonDocument(array)));
        }
        return out;
    }();
    return bodies[collection];
}

double temperatureOf(const QString &city)
{
    // Stable per city, plausible, one decimal.
    const quint32 hash = qHash(city.toLower(), 7u);
    return (int(hash % 400) - 50) / 10.0;
}

} // namespace

SimulatedAnswer simulatedAnswer(QByteArrayView path)
{
    const QStringList segments = QString::fromUtf8(path).split(u'/', Qt::SkipEmptyParts);
    if (segments.size() == 2 && segments[0] == u"v1") {
        const QString city = decodeFormComponent(segments[1].toUtf8());
        return { 200,
            QJsonDocument(QJsonObject { { QStringLiteral("city"), city },
                              { QStringLiteral("temp"), temperatureOf(city) } })
                .toJson(QJsonDocument::Compact) };
    }
    if (segments.isEmpty() || segments.size() > 2)
        return { 404, QByteArrayLiteral("{}") };
    for (int i = 0; i < int(std::size(collections)); ++i) {
        const Collection &c = collections[i];
        if (segments[0] != QLatin1StringView(c.name))
            continue;
        if (segments.size() == 1)
            return { 200, listBody(i) };
        bool ok = false;
        const int id = segments[1].toInt(&ok);
        if (!ok || id < 1 || id > c.count)
            return { 404, QByteArrayLiteral("{}") };
        return { 200, pretty(QJsonDocument(c.make(id))) };
    }
    return { 404, QByteArrayLiteral("{}") };
}

// Lives on the simulator thread: the listening socket and every connection.
class SimulatorServer : public QObject
{
public:
    explicit SimulatorServer(UpstreamSimulator &owner)
        : m_owner(owner)
        , m_parser(http::HttpLimits {})
    {
        connect(&m_server, &QTcpServer::newConnection, this, &SimulatorServer::accept);
    }

    bool listen(quint16 port)
    {
        m_server.setListenBacklogSize(4096);
        return m_server.listen(QHostAddress::LocalHost, port);
    }
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }

private:
    // A child of its socket, so it goes with the socket however that ends: a client that hangs
    // up, or the simulator stopping with keep-alive (or hung) connections still open.
    struct Connection : QObject
    {
        QByteArray buffer;
        bool busy = false; // a response is being delayed (or hung): read no further request
        bool handshaken = false; // its first request was answered: set-up is paid
    };

    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            m_owner.m_connections.fetch_add(1, std::memory_order_relaxed);
            socket->setParent(this);
            auto *connection = new Connection;
            connection->setParent(socket);
            connect(socket, &QTcpSocket::readyRead, this,
                [this, socket, connection] { serve(socket, connection); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void serve(QTcpSocket *socket, Connection *connection)
    {
        connection->buffer += socket->readAll();
        if (connection->busy)
            return;
        http::HttpRequest request;
        const auto result = m_parser.parse(connection->buffer, request);
        if (result.status == http::HttpParser::Status::NeedMore)
            return;
        if (result.status == http::HttpParser::Status::Error) {
            respond(socket, result.errorStatus, "{}", false);
            return;
        }
        connection->buffer.remove(0, result.consumed);
        connection->busy = true;
        m_owner.m_requests.fetch_add(1, std::memory_order_relaxed);

        const SimulatorSettings settings = m_owner.settings();
        const QueryParams query(request.query);
        int latency = settings.latencyMs;
        if (const auto forced = query.value(QStringLiteral("latency_ms")))
            latency = forced->toInt();
        if (settings.jitterMs > 0)
            latency
                += QRandomGenerator::global()->bounded(-settings.jitterMs, settings.jitterMs + 1);
        latency = qMax(0, latency);
        if (!std::exchange(connection->handshaken, true))
            latency += settings.handshakeMs;

        QString failure = query.value(QStringLiteral("fail")).value_or(QString());
        if (failure.isEmpty() && settings.failureRate > 0
            && QRandomGenerator::global()->generateDouble() < settings.failureRate) {
            failure = settings.failureMode;
            if (failure == u"mixed") {
                static const QStringList kinds { QStringLiteral("500"), QStringLiteral("reset"),
                    QStringLiteral("hang") };
                failure = kinds[QRandomGenerator::global()->bounded(int(kinds.size()))];
            }
        }
        if (failure == u"hang")
            return; // busy forever: the client's timeout is the only way out

        const bool keepAlive = request.keepAlive;
        const QByteArray path = request.path;
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(
            latency, Qt::PreciseTimer, socket, [this, guard, connection, failure, keepAlive, path] {
                if (!guard)
                    return;
                QTcpSocket *socket = guard.data();
                if (failure == u"reset") {
                    // SO_LINGER 0: close() sends RST, the client sees "connection reset by peer".
                    const linger hard { 1, 0 };
                    ::setsockopt(
                        int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
                    socket->abort();
                    return;
                }
                if (failure == u"500") {
                    respond(socket, 500, R"({"detail":"simulated upstream failure"})", keepAlive);
                } else {
                    const SimulatedAnswer answer = simulatedAnswer(path);
                    respond(socket, answer.status, answer.body, keepAlive);
                }
                connection->busy = false;
                if (!connection->buffer.isEmpty()
                    && socket->state() == QAbstractSocket::ConnectedState)
                    serve(socket, connection);
            });
    }

    static void respond(QTcpSocket *socket, int status, const QByteArray &body, bool keepAlive)
    {
        const char *reason = status == 200 ? "OK"
            : status == 404                ? "Not Found"
            : status == 500                ? "Internal Server Error"
                                           : "Bad Request";
        QByteArray out;
        out.reserve(body.size() + 160);
        out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
            + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: "
            + QByteArray::number(body.size())
            + (keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
        out += body;
        socket->write(out);
        if (!keepAlive)
            socket->disconnectFromHost();
    }

    UpstreamSimulator &m_owner;
    QTcpServer m_server;
    http::HttpParser m_parser;
};

UpstreamSimulator::UpstreamSimulator(SimulatorSettings settings)
    : m_settings(std::move(settings))
{
    m_thread.setObjectName(QStringLiteral("upstream simulator"));
}

UpstreamSimulator::~UpstreamSimulator()
{
    stop();
}

bool UpstreamSimulator::start(quint16 port)
{
    if (m_server)
        return true;
    // Hand-over through postTo and a std::promise, which thread sanitizers can see (a blocking
    // queued call synchronises inside uninstrumented Qt).
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    auto started = std::make_shared<std::promise<bool>>();
    std::future<bool> result = started->get_future();
    postTo(m_context, [this, port, started] {
        trace::setThreadName(QStringLiteral("upstream simulator"));
        m_server = new SimulatorServer(*this);
        const bool ok = m_server->listen(port);
        m_port = m_server->port();
        if (!ok) {
            m_error = m_server->errorString();
            delete m_server;
            m_server = nullptr;
        }
        started->set_value(ok);
    });
    const bool ok = result.get();
    qCDebug(lcOutbound) << "upstream simulator" << (ok ? "listening on port" : "failed on port")
                        << m_port;
    if (!ok) {
        m_thread.quit();
        m_thread.wait();
        m_context = nullptr; // deleted as the thread finished
    }
    return ok;
}

void UpstreamSimulator::stop()
{
    if (!m_thread.isRunning())
        return;
    if (m_server) {
        SimulatorServer *server = m_server;
        auto stopped = std::make_shared<std::promise<void>>();
        std::future<void> done = stopped->get_future();
        postTo(m_context, [server, stopped] {
            delete server;
            stopped->set_value();
        });
        done.wait();
        m_server = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
    m_context = nullptr; // deleted as the thread finished
}

QUrl UpstreamSimulator::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}

SimulatorSettings UpstreamSimulator::settings() const
{
    QMutexLocker lock(&m_mutex);
    return m_settings;
}

void UpstreamSimulator::setSettings(const SimulatorSettings &settings)
{
    QMutexLocker lock(&m_mutex);
    m_settings = settings;
}

} // namespace loopscope::upstream
