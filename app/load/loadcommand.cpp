#include "loadcommand.h"

#include "loadengine.h"
#include "loadreport.h"

#include <QFile>
#include <QJsonDocument>
#include <QUrl>

#include <cmath>
#include <cstdio>
#include <thread>

namespace loopscope::load {

namespace {

void print(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

// "2", "2.5", "2s", "500ms", "1m" -> nanoseconds; -1 when invalid.
qint64 parseSeconds(QString text)
{
    double scale = 1e9;
    if (text.endsWith(QStringLiteral("ms"))) {
        scale = 1e6;
        text.chop(2);
    } else if (text.endsWith(u's')) {
        text.chop(1);
    } else if (text.endsWith(u'm')) {
        scale = 60e9;
        text.chop(1);
    }
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value <= 0 || value * scale > 1e18)
        return -1;
    return qint64(std::llround(value * scale));
}

} // namespace

QString loadCommandUsage()
{
    return QStringLiteral(
        "Usage: loopscope load URL [options]\n"
        "Sends HTTP/1.1 requests to an http:// URL and prints an ab-like summary.\n"
        "\n"
        "  -n N             number of requests (default 1 unless --duration is given)\n"
        "  -c C             concurrent connections (default 1)\n"
        "  -k               keep connections alive (default: one connection per request)\n"
        "  --rate R         open loop: send R requests/s on schedule (latency counted from\n"
        "                   the intended send time); default is closed loop like ab\n"
        "  --duration S     run for S seconds (suffixes ms, s, m accepted)\n"
        "  -m METHOD        request method (default GET)\n"
        "  -H 'Name: value' extra request header, may repeat\n"
        "  -b BODY          request body\n"
        "  --timeout S      per-request timeout in seconds (default 30)\n"
        "  --json FILE      write every figure (summary, percentiles, errors, series) as JSON\n"
        "  -h, --help       show this help\n");
}

LoadCommandLine parseLoadCommandLine(const QStringList &args)
{
    LoadCommandLine cl;
    LoadPlan &plan = cl.plan;
    RequestTemplate request;
    QString url;
    bool countGiven = false;
    auto fail = [&cl](const QString &message) {
        if (cl) // the first problem is the one to tell
            cl.setOutcome(Result::failure(ErrorKind::BadArgument, message));
    };

    for (qsizetype i = 0; i < args.size() && cl; ++i) {
        QString arg = args[i];
        QString inlineValue;
        bool hasInline = false;
        if (arg.startsWith(QStringLiteral("--")) && arg.contains(u'=')) {
            const qsizetype eq = arg.indexOf(u'=');
            inlineValue = arg.mid(eq + 1);
            arg.truncate(eq);
            hasInline = true;
        }
        auto value = [&]() -> QString {
            if (hasInline)
                return inlineValue;
            if (i + 1 >= args.size()) {
                fail(QStringLiteral("option %1 needs a value").arg(arg));
                return {};
            }
            return args[++i];
        };
        auto positiveInt = [&](qint64 max) -> qint64 {
            const QString text = value();
            bool ok = false;
            const qint64 n = text.toLongLong(&ok);
            if (cl && (!ok || n < 1 || n > max))
                fail(QStringLiteral("%1 expects a whole number from 1 to %2, got '%3'")
                         .arg(arg)
                         .arg(max)
                         .arg(text));
            return n;
        };

        if (arg == u"-h" || arg == u"--help") {
            cl.help = true;
        } else if (arg == u"-n") {
            plan.totalRequests = positiveInt(1'000'000'000'000LL);
            countGiven = true;
        } else if (arg == u"-c") {
            plan.concurrency = int(positiveInt(10000));
        } else if (arg == u"-k") {
            plan.keepAlive = true;
        } else if (arg == u"--rate") {
            const QString text = value();
            bool ok = false;
            plan.rate = text.toDouble(&ok);
            if (cl && (!ok || !(plan.rate > 0) || plan.rate > 1e7))
                fail(QStringLiteral("--rate expects requests per second > 0, got '%1'").arg(text));
        } else if (arg == u"--duration" || arg == u"--timeout") {
            const QString text = value();
            const qint64 ns = parseSeconds(text);
            if (cl && ns < 0)
                fail(QStringLiteral("%1 expects seconds > 0, got '%2'").arg(arg, text));
            (arg == u"--duration" ? plan.duration : plan.timeout) = std::chrono::nanoseconds(ns);
        } else if (arg == u"-m") {
            request.method = value().toUpper().toLatin1();
            if (cl && (request.method.isEmpty() || request.method.contains(' ')))
                fail(QStringLiteral("-m expects a method such as GET or POST"));
        } else if (arg == u"-H") {
            const QString header = value();
            const qsizetype colon = header.indexOf(u':');
            if (cl && colon <= 0)
                fail(QStringLiteral("-H expects 'Name: value', got '%1'").arg(header));
            else
                request.headers.append({ header.left(colon).trimmed().toLatin1(),
                    header.mid(colon + 1).trimmed().toUtf8() });
        } else if (arg == u"-b") {
            request.body = value().toUtf8();
        } else if (arg == u"--json") {
            cl.jsonPath = value();
            if (cl && cl.jsonPath.isEmpty())
                fail(QStringLiteral("--json expects a file name"));
        } else if (arg.startsWith(u'-') && arg.size() > 1) {
            fail(QStringLiteral("unknown option %1").arg(arg));
        } else if (url.isEmpty()) {
            url = arg;
        } else {
            fail(QStringLiteral("more than one URL: '%1' and '%2'").arg(url, arg));
        }
    }
    if (cl.help || !cl)
        return cl;

    if (url.isEmpty()) {
        fail(QStringLiteral("no URL given"));
        return cl;
    }
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.scheme() != u"http" || parsed.host().isEmpty()) {
        fail(QStringLiteral("'%1' is not an http:// URL (https is not supported)").arg(url));
        return cl;
    }
    plan.host = parsed.host();
    const int port = parsed.port(80);
    if (port <= 0 || port > 65535) {
        fail(QStringLiteral("bad port in '%1'").arg(url));
        return cl;
    }
    plan.port = quint16(port);
    request.target = parsed.path(QUrl::FullyEncoded).toLatin1();
    if (request.target.isEmpty())
        request.target = "/";
    if (parsed.hasQuery())
        request.target += '?' + parsed.query(QUrl::FullyEncoded).toLatin1();
    plan.requests = { request };
    if (!countGiven && plan.duration.count() == 0)
        plan.totalRequests = 1; // ab's default
    plan.maxRecords = 0; // the command reports aggregates only

    if (const Result valid = plan.validate(); !valid)
        fail(valid.message());
    return cl;
}

int runLoadCommand(const QStringList &args)
{
    const LoadCommandLine cl = parseLoadCommandLine(args);
    if (cl.help) {
        print(stdout, loadCommandUsage());
        return 0;
    }
    if (!cl) {
        print(stderr,
            QStringLiteral("loopscope load: %1\n\n").arg(cl.message()) + loadCommandUsage());
        return 2;
    }

    print(stdout, QStringLiteral("Benchmarking %1 (be patient)...\n").arg(cl.plan.host));
    LoadEngine engine(cl.plan);
    LoadResult result;
    // The engine wants a thread of its own; this one just waits for it.
    std::thread worker([&] { result = engine.run(); });
    worker.join();

    if (!result) {
        print(stderr, QStringLiteral("loopscope load: %1\n").arg(result.message()));
        return 1;
    }
    print(stdout, QStringLiteral("\n") + formatLoadReport(result));

    if (!cl.jsonPath.isEmpty()) {
        QFile file(cl.jsonPath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(QJsonDocument(result.toJson()).toJson()) < 0) {
            print(stderr,
                QStringLiteral("loopscope load: cannot write %1: %2\n")
                    .arg(cl.jsonPath, file.errorString()));
            return 1;
        }
    }
    return 0;
}

} // namespace loopscope::load
