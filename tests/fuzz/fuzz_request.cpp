// Bytes as one client sends them on one connection: split into pipelined requests the way
// HttpConnection::parseBuffered does, each request answered by the real application (the
// ServerRuntime's dispatcher, SQLite in memory, the upstream simulator on 127.0.0.1) the way
// HttpConnection::serve and runHandler do, and every answer serialised and checked for
// well-formedness.
//
// Handlers that sleep or wait for the database outlive their input: each runs in a coroutine
// that owns its request, and the event loop is pumped only a short while per input, so the
// unfinished ones complete during later inputs. Nothing here is ever destroyed: a runtime torn
// down at exit would wait for every sleeping handler.

#include "core/epolldispatcher.h"
#include "core/modetable.h"
#include "core/serverlog.h"
#include "http/exchangelog.h"
#include "http/httpparser.h"
#include "serverruntime.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace loopscope;
using namespace std::chrono_literals;

namespace {

// Long enough for a database call or an upstream round trip, short enough that inputs which
// start multi-second sleeps do not dominate the run.
constexpr auto pumpBudget = 20ms;

[[noreturn]] void fail(const char *what, const QByteArray &detail = {})
{
    std::fprintf(stderr, "fuzz_request: %s\n%s\n", what, detail.left(2048).constData());
    std::abort();
}

bool isDigits(QByteArrayView text)
{
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return !text.isEmpty();
}

// What a client parses: a status line, header lines a CR or LF cannot split, a content-length
// that frames the body exactly, and JSON where the content type promises it.
void checkWellFormed(const http::HttpResponse &response, const QByteArray &bytes)
{
    if (response.status < 100 || response.status >= 600)
        fail("status outside 100..599", bytes);
    if (!bytes.startsWith("HTTP/1.1 ") || bytes.size() < 13 || !isDigits(bytes.mid(9, 3))
        || bytes.at(12) != ' ' || bytes.mid(9, 3).toInt() != response.status)
        fail("malformed status line", bytes);
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0)
        fail("no end of the head", bytes);
    const QList<QByteArray> lines = bytes.first(headEnd).split('\n');
    qint64 contentLength = -1;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArrayView line(lines[i]);
        if (i + 1 < lines.size()) {
            if (!line.endsWith('\r'))
                fail("bare LF in the head", bytes);
            line.chop(1);
        }
        if (line.contains('\r') || line.contains('\0'))
            fail("CR or NUL inside a head line", bytes);
        if (i == 0)
            continue;
        const qsizetype colon = line.indexOf(": ");
        if (colon <= 0)
            fail("header line without a name", bytes);
        if (line.first(colon).compare("content-length", Qt::CaseInsensitive) == 0) {
            if (contentLength >= 0 || !isDigits(line.sliced(colon + 2)))
                fail("bad or repeated content-length", bytes);
            contentLength = line.sliced(colon + 2).toLongLong();
        }
    }
    const qsizetype bodySize = bytes.size() - headEnd - 4;
    if (contentLength != bodySize || bodySize != response.body.size())
        fail("content-length does not frame the body", bytes);
    if (response.contentType.startsWith("application/json")) {
        QJsonParseError error;
        QJsonDocument::fromJson(response.body, &error);
        if (error.error != QJsonParseError::NoError)
            fail("application/json body is not JSON", bytes);
    }
}

struct Batch
{
    int unanswered = 0;
    QList<int> statuses;
};

// HttpConnection::runHandler without the socket: the frame owns the request for as long as the
// handler runs, and a throwing handler is answered like the server answers it.
QCoro::Task<> answer(
    http::RequestHandler &handler, http::IncomingRequest incoming, std::shared_ptr<Batch> batch)
{
    http::HandledSafely handling(handler, incoming);
    const http::HttpResponse response = co_await handling;
    checkWellFormed(response,
        serializeResponse(response, incoming.request.keepAlive, incoming.request.minorVersion,
            incoming.requestId));
    handler.responseReady(incoming, response);
    // Reading a reproducer: what each request was answered.
    static const bool verbose = qEnvironmentVariableIsSet("FUZZ_REQUEST_VERBOSE");
    if (verbose) {
        std::fprintf(stderr, "fuzz_request: %s %s -> %d %s\n", incoming.request.method.constData(),
            incoming.request.path.constData(), response.status,
            response.body.left(200).constData());
    }
    batch->statuses.append(response.status);
    --batch->unanswered;
}

class Harness
{
public:
    Harness();
    void run(QByteArrayView input);

private:
    void serve(http::HttpRequest request, const std::shared_ptr<Batch> &batch);
    void pump(const Batch &batch);
    void resetControls();

    ModeTable m_modes;
    SettingTable m_settings;
    ServerLog m_log;
    http::ExchangeLog m_exchanges;
    ServerConfig m_config;
    ServerRuntime *m_runtime = nullptr;
    http::RequestHandler *m_handler = nullptr;
    std::unique_ptr<http::HttpParser> m_parser;
    QTimer m_budgetTimer;
    int m_loggedErrors = 0;
    // PUT /_scope/modes, /_scope/upstream or /_scope/database may have changed what the next
    // input runs against.
    bool m_controlsTouched = false;
};

// Where GET /files/{name} generates its data files instead of the user's cache. Unlike the
// runtime, removed at exit (the SQLite file of sqlite::memory: is not: run-fuzzers gives every
// run its own TMPDIR).
QString filesDirectory()
{
    static const QTemporaryDir directory(
        QDir::temp().filePath(QStringLiteral("loopscope-fuzz-files-XXXXXX")));
    return directory.path();
}

Harness::Harness()
{
    m_config.address = QHostAddress::LocalHost;
    m_config.port = 0;
    m_config.databaseUrl = QStringLiteral("sqlite::memory:");
    m_config.outbound.simulator.latencyMs = 0;
    m_config.outbound.filesDirectory = filesDirectory();
    // A blocking variant stalls the loop for seconds: the fuzzer would only measure sleeps.
    m_config.modeAssignments = { QStringLiteral("*=async") };
    m_parser = std::make_unique<http::HttpParser>(m_config.limits);

    QObject::connect(
        &m_log, &ServerLog::message, [this](const QString &level, const QString &line) {
            if (level != u"ERROR" || m_loggedErrors > 20)
                return;
            std::fprintf(stderr, "fuzz_request: server log: %s\n",
                ++m_loggedErrors > 20 ? "further errors not shown" : qPrintable(line));
        });
    m_runtime = new ServerRuntime(m_config, m_log, m_modes, m_settings, m_exchanges);
    if (const Result started = m_runtime->start(); !started)
        fail("the server did not start", started.message().toUtf8());
    m_handler = m_runtime->requestHandler();
    m_budgetTimer.setSingleShot(true);
    m_budgetTimer.setTimerType(Qt::PreciseTimer);
}

void Harness::serve(http::HttpRequest request, const std::shared_ptr<Batch> &batch)
{
    // No socket here, so no kernel stamp: the client's X-Loopscope-Sent is judged alone.
    http::IncomingRequest incoming = http::admitRequest(std::move(request), 1, 0);
    ++batch->unanswered;
    answer(*m_handler, std::move(incoming), batch);
}

void Harness::pump(const Batch &batch)
{
    if (batch.unanswered > 0) {
        // The timer guarantees a wake-up at the deadline when nothing else is due.
        const QDeadlineTimer deadline(pumpBudget, Qt::PreciseTimer);
        m_budgetTimer.start(pumpBudget);
        while (batch.unanswered > 0 && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        m_budgetTimer.stop();
    }
    // Always turn the loop once: timers of handlers from earlier inputs are due too.
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void Harness::resetControls()
{
    [[maybe_unused]] const Result applied = m_modes.applyAssignment(QStringLiteral("*=async"));
    auto batch = std::make_shared<Batch>();
    const std::pair<const char *, const char *> settings[] = {
        { "/_scope/upstream",
            R"({"latency_ms": 0, "jitter_ms": 0, "failure_rate": 0, "failure_mode": "mixed"})" },
        { "/_scope/database", R"({"pooling": true})" },
    };
    for (const auto &[path, body] : settings) {
        http::HttpRequest request;
        request.method = "PUT";
        request.path = path;
        request.body = body;
        request.headers.emplace_back("content-type", "application/json");
        serve(std::move(request), batch);
    }
    pump(*batch);
    if (batch->unanswered > 0 || batch->statuses != QList<int> { 200, 200 })
        fail("resetting the simulator and the pool failed");
    m_controlsTouched = false;
}

void Harness::run(QByteArrayView input)
{
    if (m_controlsTouched)
        resetControls();
    auto batch = std::make_shared<Batch>();
    m_parser->reset(); // an input is a new connection: nothing of the last one's request
    qsizetype offset = 0;
    int requests = 0;
    // The connection stops reading at this many unanswered requests; the rest of the input
    // would wait for those answers, which only the next inputs' pumping brings.
    while (offset < input.size() && requests < m_config.limits.maxPipelinedRequests) {
        http::HttpRequest request;
        const http::HttpParser::Result result = m_parser->parse(input.sliced(offset), request);
        if (result.status == http::HttpParser::Status::NeedMore)
            break;
        if (result.status == http::HttpParser::Status::Error) {
            // HttpConnection::failProtocol's answer.
            const http::HttpResponse response = http::HttpResponse::detail(
                result.errorStatus, QString::fromLatin1(result.errorDetail));
            checkWellFormed(response, serializeResponse(response, false, 1, {}));
            break;
        }
        if (result.consumed <= 0 || result.consumed > input.size() - offset)
            fail("the parser reported an impossible request length"); // the connection would spin
        offset += result.consumed;
        ++requests;
        const bool closeAfter = !request.keepAlive;
        if (request.method == "PUT")
            m_controlsTouched = true;
        // GET /cpu's lesson is seconds of CPU on the loop, one slice per loop turn; a few of
        // them would leave no time for the fuzzer. Its parameter is fuzzed by fuzz_query.
        if (QUrl::fromPercentEncoding(request.path) != u"/cpu")
            serve(std::move(request), batch);
        if (closeAfter)
            break; // nothing after a closing request is answered
    }
    pump(*batch);
}

Harness *harness = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Qt keeps references to argc and argv, and must not see libFuzzer's flags.
    static int argc = 1;
    static char name[] = "fuzz_request";
    static char *argv[] = { name, nullptr };
    // The server thread's own dispatcher, so the fuzzed loop is the one that serves.
    QCoreApplication::setEventDispatcher(new loopscope::EpollEventDispatcher);
    new QCoreApplication(argc, argv);
    // Resetting the pool before an input logs its switch each time.
    QLoggingCategory::setFilterRules(QStringLiteral("loopscope.*.info=false"));
    harness = new Harness;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    harness->run(QByteArrayView(data, static_cast<qsizetype>(size)));
    return 0;
}
