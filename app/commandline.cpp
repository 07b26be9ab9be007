#include "commandline.h"

#include "scenarios.h"

#include <QCommandLineParser>

namespace loopscope {

QString usageText()
{
    return QStringLiteral(
        "Usage: loopscope [--headless] [--port N] [--bind ADDR] [--database URL] [--mode "
        "ROUTE=VARIANT]...\n"
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
        "  --task-grace MS        grace for background tasks at shutdown (default 2000)\n"
        "  --trace-out FILE       write the trace (Chrome JSON, opens in Perfetto) on exit\n"
        "  --list-scenarios       list the scenarios of the Scenarios menu\n"
        "  --scenario NAME        play a scenario once the window is up\n"
        "  --screenshot FILE      save a PNG of the window after the scenario ran, then quit\n"
        "  -h, --help             show this help\n"
        "  --version              show the version\n");
}

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
    const QCommandLineOption help(QStringList { QStringLiteral("h"), QStringLiteral("help") });
    const QCommandLineOption version(QStringLiteral("version"));
    const QCommandLineOption listScenarios(QStringLiteral("list-scenarios"));
    const QCommandLineOption traceOut(QStringLiteral("trace-out"), {}, QStringLiteral("FILE"));
    const QCommandLineOption scenario(QStringLiteral("scenario"), {}, QStringLiteral("NAME"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), {}, QStringLiteral("FILE"));
    parser.addOptions({ headless, port, bind, mode, taskGrace, database, traceOut, help, version,
        listScenarios, scenario, screenshot, upstreamUrl, allowHost, upstreamLatency,
        upstreamJitter, upstreamFailureRate });

    auto usageError = [&result](const QString &message) {
        result.action = CommandLineResult::Action::UsageError;
        result.message = message;
        return result;
    };

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));
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
    options.traceOut = parser.value(traceOut);
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
    outbound.upstreamUrl = parser.value(upstreamUrl); // checked when the server starts
    outbound.allowedHosts = parser.values(allowHost);
    options.scenario = parser.value(scenario);
    options.screenshot = parser.value(screenshot);
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
