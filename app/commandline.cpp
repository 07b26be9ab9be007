#include "commandline.h"

#include "scenarios.h"

#include <QCommandLineParser>
#include <array>
#include <optional>
#include <tuple>

namespace loopscope {

int exitCode(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadArgument:
        return 2;
    case ErrorKind::BadData:
    case ErrorKind::Io:
        return 1;
    }
    return 1;
}

QString usageText()
{
    return QStringLiteral(
        "Usage: loopscope [--headless] [--port N] [--bind ADDR] [--database URL] [--mode "
        "ROUTE=VARIANT]...\n"
        "       loopscope FILE.loopscope [--at S] [--speed X] [--screenshot FILE]\n"
        "       loopscope info FILE.loopscope\n"
        "       loopscope load URL [-n N] [-c C] [-k] [--rate R] [--duration S] [--json FILE]\n"
        "\n"
        "  --headless             serve without a window; stop with Ctrl+C or SIGTERM\n"
        "  --port N               port to listen on (default 8000; 0 picks a free one)\n"
        "  --bind ADDR            address to bind (default 127.0.0.1)\n"
        "  --database URL         sqlite:///RELATIVE.db, sqlite:////ABSOLUTE.db, sqlite::memory: "
        "or\n"
        "                         postgresql://USER:PASS@HOST:PORT/DB (?min_size=5&max_size=20);\n"
        "                         default: loopscope.db in the user's data directory\n"
        "  --mode ROUTE=VARIANT   run ROUTE as VARIANT (async, threadpool, blocking);\n"
        "                         ROUTE is \"GET /async\", \"/async\" or \"*\"; repeatable\n"
        "  --upstream URL         send the outbound routes to URL (e.g. "
        "https://jsonplaceholder.typicode.com)\n"
        "                         instead of the built-in upstream simulator\n"
        "  --allow-host HOST      let /scrape fetch HOST too (default: loopback and the upstream); "
        "repeatable\n"
        "  --upstream-latency MS  simulator latency (default 100)\n"
        "  --upstream-jitter MS   simulator jitter, +/- MS (default 0)\n"
        "  --upstream-failure-rate R  share of simulator requests that fail, 0..1 (default 0)\n"
        "  --max-upstream-body-bytes B  an upstream answer's body at most B bytes, else that\n"
        "                         call fails (default 10M; K and M suffixes)\n"
        "  --task-grace MS        grace for background tasks at shutdown (default 2000)\n"
        "\n"
        "Limits (each rejection is counted in /_scope/metrics):\n"
        "  --max-connections N    open connections at most; more get a 503 (default 10000)\n"
        "  --keep-alive-timeout S close a connection idle for S seconds (default 15)\n"
        "  --request-timeout S    a client must send a whole request within S seconds, or\n"
        "                         gets a 408 and is dropped (slow clients; default 10)\n"
        "  --max-request-line B   request line and URL at most B bytes, else 414 (default 8K)\n"
        "  --max-header-bytes B   request head at most B bytes, else 431 (default 16K)\n"
        "  --max-body-bytes B     request body at most B bytes, else 413 (default 1M)\n"
        "                         (B takes K and M suffixes: 16K, 1M)\n"
        "  --max-background-tasks N  background tasks at once; a request that would start\n"
        "                         one more gets a 503 and has no effect (default 10000)\n"
        "\n"
        "Control API (/_scope/):\n"
        "  --control-token TOKEN  require `Authorization: Bearer TOKEN` on /_scope/ requests\n"
        "                         (or set LOOPSCOPE_CONTROL_TOKEN); without a token the API is\n"
        "                         open on loopback and off when bound beyond it\n"
        "  --no-control-api       turn the /_scope/ control API off\n"
        "  --control-host NAME    a Host name besides loopback's that the open API answers\n"
        "                         (repeatable; others get a 403: DNS rebinding)\n"
        "\n"
        "  --trace-retention S    seconds of trace kept for the timeline and exports, 10 to 3600\n"
        "                         (default 300, or the window's saved setting)\n"
        "  --trace-out FILE       write the trace (Chrome JSON, opens in Perfetto) on exit\n"
        "  --record FILE          with --headless: record the session into FILE (.loopscope) as\n"
        "                         it runs; complete once the server stops (SIGTERM included)\n"
        "  --list-scenarios       list the scenarios of the Scenarios menu\n"
        "  --scenario NAME        play a scenario once the window is up\n"
        "  --at S                 with a recording: put the play head at S seconds (its session\n"
        "                         clock) and show the session as it was then\n"
        "  --speed X              with a recording: the replay speed, 0.05 to 4 (default 1)\n"
        "  --screenshot FILE      save a PNG of the window after the scenario ran (or the\n"
        "                         recording opened), then quit\n"
        "  -h, --help             show this help\n"
        "  --version              show the version\n");
}

namespace {

// "16K", "1M", "1048576": a byte count with an optional binary suffix; nullopt when malformed.
std::optional<qint64> parseByteCount(QString text)
{
    qint64 multiplier = 1;
    if (text.endsWith(u'K', Qt::CaseInsensitive))
        multiplier = 1024;
    else if (text.endsWith(u'M', Qt::CaseInsensitive))
        multiplier = 1024 * 1024;
    if (multiplier != 1)
        text.chop(1);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 1 || value > (qint64(1) << 40) / multiplier)
        return std::nullopt;
    return value * multiplier;
}

// --max-connections, the two timeouts and the three sizes, in that order.
QString applyLimitOptions(const QCommandLineParser &parser,
    const std::array<const QCommandLineOption *, 6> &options, http::HttpLimits &limits)
{
    const auto &[maxConnections, keepAlive, request, requestLine, headerBytes, bodyBytes] = options;
    if (parser.isSet(*maxConnections)) {
        bool ok = false;
        const int value = parser.value(*maxConnections).toInt(&ok);
        if (!ok || value < 1 || value > 1'000'000)
            return QStringLiteral("--max-connections expects 1 to 1000000, got '%1'")
                .arg(parser.value(*maxConnections));
        limits.maxConnections = value;
    }
    for (const auto &[option, target] : { std::pair { keepAlive, &limits.keepAliveTimeout },
             std::pair { request, &limits.requestTimeout } }) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        const double seconds = parser.value(*option).toDouble(&ok);
        if (!ok || !(seconds >= 0.01 && seconds <= 86400))
            return QStringLiteral("--%1 expects seconds from 0.01 to 86400, got '%2'")
                .arg(option->names().constFirst(), parser.value(*option));
        *target = std::chrono::milliseconds(qRound64(seconds * 1000));
    }
    for (const auto &[option, target] : { std::pair { requestLine, &limits.maxRequestLineBytes },
             std::pair { headerBytes, &limits.maxHeaderBytes },
             std::pair { bodyBytes, &limits.maxBodyBytes } }) {
        if (!parser.isSet(*option))
            continue;
        const std::optional<qint64> bytes = parseByteCount(parser.value(*option));
        if (!bytes)
            return QStringLiteral("--%1 expects a byte count such as 4096, 16K or 1M, got '%2'")
                .arg(option->names().constFirst(), parser.value(*option));
        *target = *bytes;
    }
    if (limits.maxRequestLineBytes > limits.maxHeaderBytes)
        return QStringLiteral("--max-request-line (%1) cannot exceed --max-header-bytes (%2)")
            .arg(limits.maxRequestLineBytes)
            .arg(limits.maxHeaderBytes);
    return {};
}

} // namespace

CommandLineResult parseCommandLine(const QStringList &arguments)
{
    CommandLineResult result;
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption headless(QStringLiteral("headless"));
    const QCommandLineOption port(QStringLiteral("port"), {}, QStringLiteral("N"));
    const QCommandLineOption bind(QStringLiteral("bind"), {}, QStringLiteral("ADDR"));
    const QCommandLineOption mode(QStringLiteral("mode"), {}, QStringLiteral("ROUTE=VARIANT"));
    const QCommandLineOption taskGrace(QStringLiteral("task-grace"), {}, QStringLiteral("MS"));
    const QCommandLineOption database(QStringLiteral("database"), {}, QStringLiteral("URL"));
    const QCommandLineOption upstreamUrl(QStringLiteral("upstream"), {}, QStringLiteral("URL"));
    const QCommandLineOption allowHost(QStringLiteral("allow-host"), {}, QStringLiteral("HOST"));
    const QCommandLineOption upstreamLatency(
        QStringLiteral("upstream-latency"), {}, QStringLiteral("MS"));
    const QCommandLineOption upstreamJitter(
        QStringLiteral("upstream-jitter"), {}, QStringLiteral("MS"));
    const QCommandLineOption upstreamFailureRate(
        QStringLiteral("upstream-failure-rate"), {}, QStringLiteral("R"));
    const QCommandLineOption maxUpstreamBody(
        QStringLiteral("max-upstream-body-bytes"), {}, QStringLiteral("B"));
    const QCommandLineOption help(QStringList { QStringLiteral("h"), QStringLiteral("help") });
    const QCommandLineOption version(QStringLiteral("version"));
    const QCommandLineOption listScenarios(QStringLiteral("list-scenarios"));
    const QCommandLineOption traceOut(QStringLiteral("trace-out"), {}, QStringLiteral("FILE"));
    const QCommandLineOption record(QStringLiteral("record"), {}, QStringLiteral("FILE"));
    const QCommandLineOption playHead(QStringLiteral("at"), {}, QStringLiteral("S"));
    const QCommandLineOption replaySpeed(QStringLiteral("speed"), {}, QStringLiteral("X"));
    const QCommandLineOption traceRetention(
        QStringLiteral("trace-retention"), {}, QStringLiteral("S"));
    const QCommandLineOption scenario(QStringLiteral("scenario"), {}, QStringLiteral("NAME"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), {}, QStringLiteral("FILE"));
    const QCommandLineOption maxConnections(
        QStringLiteral("max-connections"), {}, QStringLiteral("N"));
    const QCommandLineOption keepAliveTimeout(
        QStringLiteral("keep-alive-timeout"), {}, QStringLiteral("S"));
    const QCommandLineOption requestTimeout(
        QStringLiteral("request-timeout"), {}, QStringLiteral("S"));
    const QCommandLineOption maxRequestLine(
        QStringLiteral("max-request-line"), {}, QStringLiteral("B"));
    const QCommandLineOption maxHeaderBytes(
        QStringLiteral("max-header-bytes"), {}, QStringLiteral("B"));
    const QCommandLineOption maxBodyBytes(
        QStringLiteral("max-body-bytes"), {}, QStringLiteral("B"));
    const QCommandLineOption controlToken(
        QStringLiteral("control-token"), {}, QStringLiteral("TOKEN"));
    const QCommandLineOption noControlApi(QStringLiteral("no-control-api"));
    const QCommandLineOption controlHost(
        QStringLiteral("control-host"), {}, QStringLiteral("NAME"));
    const QCommandLineOption maxBackgroundTasks(
        QStringLiteral("max-background-tasks"), {}, QStringLiteral("N"));
    parser.addOptions(
        { headless, port, bind, mode, taskGrace, database, traceOut, record, playHead, replaySpeed,
            traceRetention, help, version, listScenarios, scenario, screenshot, upstreamUrl,
            allowHost, upstreamLatency, upstreamJitter, upstreamFailureRate, maxUpstreamBody,
            maxConnections, keepAliveTimeout, requestTimeout, maxRequestLine, maxHeaderBytes,
            maxBodyBytes, controlToken, noControlApi, controlHost, maxBackgroundTasks });

    auto usageError = [&result](const QString &message) {
        result.action = CommandLineResult::Action::UsageError;
        result.message = message;
        return result;
    };

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (positional.size() == 1 && parser.isSet(headless)))
        return usageError(QStringLiteral("unexpected argument '%1'").arg(positional.constLast()));
    if (parser.isSet(help)) {
        result.action = CommandLineResult::Action::ShowHelp;
        result.message = usageText();
        return result;
    }
    if (parser.isSet(version)) {
        result.action = CommandLineResult::Action::ShowVersion;
        return result;
    }
    if (parser.isSet(listScenarios)) {
        result.action = CommandLineResult::Action::ListScenarios;
        return result;
    }

    AppOptions &options = result.options;
    options.headless = parser.isSet(headless);
    if (parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535)
            return usageError(
                QStringLiteral("--port expects 0 to 65535, got '%1'").arg(parser.value(port)));
        options.server.port = static_cast<quint16>(value);
        options.portGiven = true;
    }
    if (parser.isSet(bind)) {
        const QString text = parser.value(bind);
        QHostAddress address;
        if (text == u"localhost")
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(text))
            return usageError(QStringLiteral("--bind expects an IP address, got '%1'").arg(text));
        options.server.address = address;
    }
    if (parser.isSet(taskGrace)) {
        bool ok = false;
        const int value = parser.value(taskGrace).toInt(&ok);
        if (!ok || value < 0)
            return usageError(QStringLiteral("--task-grace expects milliseconds, got '%1'")
                                  .arg(parser.value(taskGrace)));
        options.server.taskGrace = std::chrono::milliseconds(value);
    }
    if (parser.isSet(maxBackgroundTasks)) {
        bool ok = false;
        const int value = parser.value(maxBackgroundTasks).toInt(&ok);
        if (!ok || value < 1 || value > 1'000'000)
            return usageError(
                QStringLiteral("--max-background-tasks expects 1 to 1000000, got '%1'")
                    .arg(parser.value(maxBackgroundTasks)));
        options.server.maxBackgroundTasks = value;
    }
    options.traceOut = parser.value(traceOut);
    options.recordTo = parser.value(record);
    if (!options.recordTo.isEmpty() && !options.headless)
        return usageError(
            QStringLiteral("--record needs --headless (in the window: File > Save recording...)"));

    if (parser.isSet(traceRetention)) {
        bool ok = false;
        const int value = parser.value(traceRetention).toInt(&ok);
        // The same bounds as the window's setting.
        if (!ok || value < 10 || value > 3600)
            return usageError(
                QStringLiteral("--trace-retention expects 10 to 3600 seconds, got '%1'")
                    .arg(parser.value(traceRetention)));
        options.traceRetention = std::chrono::seconds(value);
    }
    upstream::OutboundConfig &outbound = options.server.outbound;
    for (const auto &[option, target] :
        { std::pair { &upstreamLatency, &outbound.simulator.latencyMs },
            std::pair { &upstreamJitter, &outbound.simulator.jitterMs } }) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        const int value = parser.value(*option).toInt(&ok);
        if (!ok || value < 0)
            return usageError(QStringLiteral("--%1 expects milliseconds, got '%2'")
                                  .arg(option->names().constFirst(), parser.value(*option)));
        *target = value;
    }
    if (parser.isSet(upstreamFailureRate)) {
        bool ok = false;
        const double value = parser.value(upstreamFailureRate).toDouble(&ok);
        if (!ok || value < 0 || value > 1)
            return usageError(QStringLiteral("--upstream-failure-rate expects 0 to 1, got '%1'")
                                  .arg(parser.value(upstreamFailureRate)));
        outbound.simulator.failureRate = value;
    }
    if (parser.isSet(maxUpstreamBody)) {
        const std::optional<qint64> bytes = parseByteCount(parser.value(maxUpstreamBody));
        if (!bytes)
            return usageError(QStringLiteral("--max-upstream-body-bytes expects a byte count such "
                                             "as 65536, 512K or 10M, got '%1'")
                                  .arg(parser.value(maxUpstreamBody)));
        outbound.maxBodyBytes = *bytes;
    }
    outbound.upstreamUrl = parser.value(upstreamUrl); // checked when the server starts
    if (const QString error = applyLimitOptions(parser,
            { &maxConnections, &keepAliveTimeout, &requestTimeout, &maxRequestLine, &maxHeaderBytes,
                &maxBodyBytes },
            options.server.limits);
        !error.isEmpty())
        return usageError(error);
    options.server.controlApiEnabled = !parser.isSet(noControlApi);
    options.server.controlHosts = parser.values(controlHost);
    // The environment keeps the token out of `ps`; the option wins when both are given.
    options.server.controlToken = parser.isSet(controlToken) ? parser.value(controlToken).toUtf8()
                                                             : qgetenv("LOOPSCOPE_CONTROL_TOKEN");
    if (parser.isSet(controlToken) && options.server.controlToken.isEmpty())
        return usageError(QStringLiteral("--control-token expects a non-empty token"));
    outbound.allowedHosts = parser.values(allowHost);
    options.scenario = parser.value(scenario);
    options.screenshot = parser.value(screenshot);
    options.openRecording = positional.value(0);
    if (!options.openRecording.isEmpty() && !options.scenario.isEmpty())
        return usageError(QStringLiteral("a recording is shown as it was: no --scenario with it"));
    for (const auto &[option, target, lowest, highest] :
        { std::tuple { &playHead, &options.playHead, 0.0, 1e9 },
            std::tuple { &replaySpeed, &options.replaySpeed, 0.05, 4.0 } }) {
        if (!parser.isSet(*option))
            continue;
        if (options.openRecording.isEmpty())
            return usageError(
                QStringLiteral("--%1 needs a recording to open").arg(option->names().constFirst()));
        bool ok = false;
        const double value = parser.value(*option).toDouble(&ok);
        if (!ok || !(value >= lowest && value <= highest))
            return usageError(QStringLiteral("--%1 expects %2 to %3, got '%4'")
                                  .arg(option->names().constFirst())
                                  .arg(lowest)
                                  .arg(highest)
                                  .arg(parser.value(*option)));
        *target = value;
    }
    if (!options.scenario.isEmpty() && !findScenario(options.scenario))
        return usageError(
            QStringLiteral("unknown scenario '%1' (see --list-scenarios)").arg(options.scenario));
    if (options.headless && (!options.scenario.isEmpty() || !options.screenshot.isEmpty()))
        return usageError(
            QStringLiteral("--scenario and --screenshot need the window, not --headless"));
    // Checked when the server starts (a bad URL exits with 2 there, an unreachable one with 1).
    options.server.databaseUrl = parser.value(database);
    options.databaseGiven = parser.isSet(database);
    options.server.modeAssignments = parser.values(mode);
    for (const QString &assignment : options.server.modeAssignments) {
        if (!assignment.contains(u'='))
            return usageError(
                QStringLiteral("--mode expects ROUTE=VARIANT, got '%1'").arg(assignment));
    }
    return result;
}

} // namespace loopscope
