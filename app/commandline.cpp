#include "commandline.h"

#include "scenarios.h"

#include <QCommandLineParser>
#include <QRegularExpression>
#include <functional>
#include <optional>
#include <vector>

namespace loopscope {

int exitCode(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadArgument:
        return 2;
    case ErrorKind::BadData:
    case ErrorKind::Io:
    case ErrorKind::Internal:
        return 1;
    }
    return 1;
}

namespace {

// Applies one value of an option to the options; a BadArgument naming the option when the value
// is refused. Flags get an empty value.
using Apply = std::function<Result(const QString &value, AppOptions &options)>;

// An option's value refused: the command line is at fault, so the exit status is 2.
Result refused(QString message)
{
    return Result::failure(ErrorKind::BadArgument, std::move(message));
}

// One command-line option: the parser learns it, the usage text describes it and the parse
// applies it, all from this row.
struct OptionRow
{
    QStringList names; // the first is the long name the messages use
    QString valueName; // empty for a flag
    QString help; // lines of the usage text, '\n' between them
    QString section; // the usage text's heading above this option; empty: under the previous one
    Apply apply; // empty: read by parseCommandLine itself (the ones that choose the action)
};

// "16K", "1M", "1048576": a byte count with an optional binary suffix; nullopt when malformed.
std::optional<qint64> parseByteCount(QString text)
{
    qint64 multiplier = 1;
    if (text.endsWith(u'K', Qt::CaseInsensitive))
        multiplier = 1024;
    else if (text.endsWith(u'M', Qt::CaseInsensitive))
        multiplier = 1024 * 1024;
    else if (text.endsWith(u'G', Qt::CaseInsensitive))
        multiplier = qint64(1) << 30;
    if (multiplier != 1)
        text.chop(1);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 1 || value > (qint64(1) << 40) / multiplier)
        return std::nullopt;
    return value * multiplier;
}

// The appliers the table shares. `target` picks the field of AppOptions the value goes to.
template <typename Field> using Target = std::function<Field &(AppOptions &)>;

Apply countIn(const QString &name, int lowest, int highest, Target<int> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        bool ok = false;
        const int count = value.toInt(&ok);
        if (!ok || count < lowest || count > highest)
            return refused(QStringLiteral("--%1 expects %2 to %3, got '%4'")
                               .arg(name)
                               .arg(lowest)
                               .arg(highest)
                               .arg(value));
        target(options) = count;
        return {};
    };
}

Apply milliseconds(const QString &name, Target<int> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        bool ok = false;
        const int ms = value.toInt(&ok);
        if (!ok || ms < 0)
            return refused(QStringLiteral("--%1 expects milliseconds, got '%2'").arg(name, value));
        target(options) = ms;
        return {};
    };
}

Apply timeoutSeconds(const QString &name, Target<std::chrono::milliseconds> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        bool ok = false;
        const double seconds = value.toDouble(&ok);
        if (!ok || !(seconds >= 0.01 && seconds <= 86400))
            return refused(QStringLiteral("--%1 expects seconds from 0.01 to 86400, got '%2'")
                               .arg(name, value));
        target(options) = std::chrono::milliseconds(qRound64(seconds * 1000));
        return {};
    };
}

Apply byteCount(const QString &name, Target<qint64> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        const std::optional<qint64> bytes = parseByteCount(value);
        if (!bytes)
            return refused(
                QStringLiteral("--%1 expects a byte count such as 4096, 16K or 1M, got '%2'")
                    .arg(name, value));
        target(options) = *bytes;
        return {};
    };
}

Apply numberIn(
    const QString &name, double lowest, double highest, Target<std::optional<double>> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        if (options.openRecording.isEmpty())
            return refused(QStringLiteral("--%1 needs a recording to open").arg(name));
        bool ok = false;
        const double number = value.toDouble(&ok);
        if (!ok || !(number >= lowest && number <= highest))
            return refused(QStringLiteral("--%1 expects %2 to %3, got '%4'")
                               .arg(name)
                               .arg(lowest)
                               .arg(highest)
                               .arg(value));
        target(options) = number;
        return {};
    };
}

Apply text(Target<QString> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        target(options) = value;
        return {};
    };
}

Apply appended(Target<QStringList> target)
{
    return [=](const QString &value, AppOptions &options) -> Result {
        target(options).append(value);
        return {};
    };
}

const std::vector<OptionRow> &optionTable()
{
    using O = AppOptions;
    const QString limits = QStringLiteral("Limits (each rejection is counted in /_scope/metrics):");
    const QString control = QStringLiteral("Control API (/_scope/):");
    const QString other = QStringLiteral(" "); // a blank line, no heading
    static const std::vector<OptionRow> rows {
        { { QStringLiteral("headless") }, {},
            QStringLiteral("serve without a window; stop with Ctrl+C or SIGTERM"), {},
            [](const QString &, O &o) -> Result {
                o.headless = true;
                return {};
            } },
        { { QStringLiteral("port") }, QStringLiteral("N"),
            QStringLiteral("port to listen on (default 8000; 0 picks a free one)"), {},
            [](const QString &value, O &o) -> Result {
                bool ok = false;
                const uint port = value.toUInt(&ok);
                if (!ok || port > 65535)
                    return refused(
                        QStringLiteral("--port expects 0 to 65535, got '%1'").arg(value));
                o.server.port = static_cast<quint16>(port);
                o.portGiven = true;
                return {};
            } },
        { { QStringLiteral("bind") }, QStringLiteral("ADDR"),
            QStringLiteral("address to bind (default 127.0.0.1)"), {},
            [](const QString &value, O &o) -> Result {
                QHostAddress address;
                if (value == u"localhost")
                    address = QHostAddress::LocalHost;
                else if (!address.setAddress(value))
                    return refused(
                        QStringLiteral("--bind expects an IP address, got '%1'").arg(value));
                o.server.address = address;
                return {};
            } },
        // Checked when the server starts (a bad URL exits with 2 there, an unreachable one
        // with 1).
        { { QStringLiteral("database") }, QStringLiteral("URL"),
            QStringLiteral("sqlite:///RELATIVE.db, sqlite:////ABSOLUTE.db, sqlite::memory: or\n"
                           "postgresql://USER:PASS@HOST:PORT/DB (?min_size=5&max_size=20);\n"
                           "default: loopscope.db in the user's data directory"),
            {},
            [](const QString &value, O &o) -> Result {
                o.server.databaseUrl = value;
                o.databaseGiven = true;
                return {};
            } },
        { { QStringLiteral("mode") }, QStringLiteral("ROUTE=VARIANT"),
            QStringLiteral("run ROUTE as VARIANT (async, threadpool, blocking, no-await,\n"
                           "processpool);\n"
                           "ROUTE is \"GET /async\", \"/async\" or \"*\"; repeatable"),
            {},
            [](const QString &value, O &o) -> Result {
                if (!value.contains(u'='))
                    return refused(
                        QStringLiteral("--mode expects ROUTE=VARIANT, got '%1'").arg(value));
                o.server.modeAssignments.append(value); // checked when the server starts
                return {};
            } },
        { { QStringLiteral("set") }, QStringLiteral("NAME=VALUE"),
            QStringLiteral(
                "a live setting, as a scenario step sets it: gil.enabled,\n"
                "database.pooling, upstream.latency_ms, upstream.jitter_ms,\n"
                "upstream.handshake_ms, upstream.disk_read_ms, upstream.client_setup_ms,\n"
                "upstream.failure_rate, upstream.failure_mode; repeatable"),
            {},
            [](const QString &value, O &o) -> Result {
                if (!value.contains(u'='))
                    return refused(QStringLiteral("--set expects NAME=VALUE, got '%1'").arg(value));
                o.server.settingAssignments.append(value); // checked when the server starts
                return {};
            } },
        { { QStringLiteral("gil") }, QStringLiteral("on|off"),
            QStringLiteral("CPython's global interpreter lock (default on): CPU work on pool\n"
                           "threads takes turns, switched every 5 ms, and the loop waits for it"),
            {},
            [](const QString &value, O &o) -> Result {
                if (value != u"on" && value != u"off")
                    return refused(QStringLiteral("--gil expects on or off, got '%1'").arg(value));
                o.server.gil = value == u"on";
                return {};
            } },
        { { QStringLiteral("upstream") }, QStringLiteral("URL"),
            QStringLiteral("send the outbound routes to URL (e.g. "
                           "https://jsonplaceholder.typicode.com)\n"
                           "instead of the built-in upstream simulator"),
            {}, text([](O &o) -> QString & { return o.server.outbound.upstreamUrl; }) },
        { { QStringLiteral("allow-host") }, QStringLiteral("HOST"),
            QStringLiteral(
                "let /scrape fetch HOST too (default: loopback and the upstream); repeatable"),
            {}, appended([](O &o) -> QStringList & { return o.server.outbound.allowedHosts; }) },
        { { QStringLiteral("upstream-latency") }, QStringLiteral("MS"),
            QStringLiteral("simulator latency (default 100)"), {},
            milliseconds(QStringLiteral("upstream-latency"),
                [](O &o) -> int & { return o.server.outbound.simulator.latencyMs; }) },
        { { QStringLiteral("upstream-jitter") }, QStringLiteral("MS"),
            QStringLiteral("simulator jitter, +/- MS (default 0)"), {},
            milliseconds(QStringLiteral("upstream-jitter"),
                [](O &o) -> int & { return o.server.outbound.simulator.jitterMs; }) },
        { { QStringLiteral("upstream-failure-rate") }, QStringLiteral("R"),
            QStringLiteral("share of simulator requests that fail, 0..1 (default 0)"), {},
            [](const QString &value, O &o) -> Result {
                bool ok = false;
                const double rate = value.toDouble(&ok);
                if (!ok || rate < 0 || rate > 1)
                    return refused(
                        QStringLiteral("--upstream-failure-rate expects 0 to 1, got '%1'")
                            .arg(value));
                o.server.outbound.simulator.failureRate = rate;
                return {};
            } },
        { { QStringLiteral("max-upstream-body-bytes") }, QStringLiteral("B"),
            QStringLiteral("an upstream answer's body at most B bytes, else that\n"
                           "call fails (default 10M; K, M and G suffixes)"),
            {},
            byteCount(QStringLiteral("max-upstream-body-bytes"),
                [](O &o) -> qint64 & { return o.server.outbound.maxBodyBytes; }) },
        { { QStringLiteral("task-grace") }, QStringLiteral("MS"),
            QStringLiteral("grace for background tasks at shutdown (default 2000)"), {},
            [](const QString &value, O &o) -> Result {
                bool ok = false;
                const int ms = value.toInt(&ok);
                if (!ok || ms < 0)
                    return refused(
                        QStringLiteral("--task-grace expects milliseconds, got '%1'").arg(value));
                o.server.taskGrace = std::chrono::milliseconds(ms);
                return {};
            } },

        { { QStringLiteral("max-connections") }, QStringLiteral("N"),
            QStringLiteral("open connections at most; more get a 503 (default 10000)"), limits,
            countIn(QStringLiteral("max-connections"), 1, 1'000'000,
                [](O &o) -> int & { return o.server.limits.maxConnections; }) },
        { { QStringLiteral("keep-alive-timeout") }, QStringLiteral("S"),
            QStringLiteral("close a connection idle for S seconds (default 15)"), {},
            timeoutSeconds(QStringLiteral("keep-alive-timeout"),
                [](O &o) -> std::chrono::milliseconds & {
                    return o.server.limits.keepAliveTimeout;
                }) },
        { { QStringLiteral("request-timeout") }, QStringLiteral("S"),
            QStringLiteral("a client must send a whole request within S seconds, or\n"
                           "gets a 408 and is dropped (slow clients; default 10)"),
            {},
            timeoutSeconds(QStringLiteral("request-timeout"),
                [](O &o) -> std::chrono::milliseconds & {
                    return o.server.limits.requestTimeout;
                }) },
        { { QStringLiteral("max-request-line") }, QStringLiteral("B"),
            QStringLiteral("request line and URL at most B bytes, else 414 (default 8K)"), {},
            byteCount(QStringLiteral("max-request-line"),
                [](O &o) -> qint64 & { return o.server.limits.maxRequestLineBytes; }) },
        { { QStringLiteral("max-header-bytes") }, QStringLiteral("B"),
            QStringLiteral("request head at most B bytes, else 431 (default 16K)"), {},
            byteCount(QStringLiteral("max-header-bytes"),
                [](O &o) -> qint64 & { return o.server.limits.maxHeaderBytes; }) },
        { { QStringLiteral("max-body-bytes") }, QStringLiteral("B"),
            QStringLiteral("request body at most B bytes, else 413 (default 1M)\n"
                           "(B takes K, M and G suffixes: 16K, 1M, 1G)"),
            {},
            byteCount(QStringLiteral("max-body-bytes"),
                [](O &o) -> qint64 & { return o.server.limits.maxBodyBytes; }) },
        { { QStringLiteral("max-background-tasks") }, QStringLiteral("N"),
            QStringLiteral("background tasks at once; a request that would start\n"
                           "one more gets a 503 and has no effect (default 10000)"),
            {},
            countIn(QStringLiteral("max-background-tasks"), 1, 1'000'000,
                [](O &o) -> int & { return o.server.maxBackgroundTasks; }) },

        { { QStringLiteral("control-token") }, QStringLiteral("TOKEN"),
            QStringLiteral("require `Authorization: Bearer TOKEN` on /_scope/ requests\n"
                           "(or set LOOPSCOPE_CONTROL_TOKEN); without a token the API is\n"
                           "open on loopback and off when bound beyond it"),
            control,
            [](const QString &value, O &o) -> Result {
                if (value.isEmpty())
                    return refused(QStringLiteral("--control-token expects a non-empty token"));
                o.server.controlToken = value.toUtf8();
                return {};
            } },
        { { QStringLiteral("no-control-api") }, {},
            QStringLiteral("turn the /_scope/ control API off"), {},
            [](const QString &, O &o) -> Result {
                o.server.controlApiEnabled = false;
                return {};
            } },
        { { QStringLiteral("control-host") }, QStringLiteral("NAME"),
            QStringLiteral("a Host name besides loopback's that the open API answers\n"
                           "(repeatable; others get a 403: DNS rebinding)"),
            {}, appended([](O &o) -> QStringList & { return o.server.controlHosts; }) },

        { { QStringLiteral("trace-retention") }, QStringLiteral("S"),
            QStringLiteral("seconds of trace kept for the timeline and exports, 10 to 3600\n"
                           "(default 300, or the window's saved setting)"),
            other,
            [](const QString &value, O &o) -> Result {
                bool ok = false;
                const int seconds = value.toInt(&ok);
                // The same bounds as the window's setting.
                if (!ok || seconds < 10 || seconds > 3600)
                    return refused(
                        QStringLiteral("--trace-retention expects 10 to 3600 seconds, got '%1'")
                            .arg(value));
                o.traceRetention = std::chrono::seconds(seconds);
                return {};
            } },
        { { QStringLiteral("trace-ring-budget") }, QStringLiteral("B"),
            QStringLiteral("bytes for every thread's trace ring together, 1M to 16G; a\n"
                           "thread that finds it spent gets a small ring (default: a 64th of\n"
                           "the machine's memory, 32M to 256M)"),
            other,
            [](const QString &value, O &o) -> Result {
                const std::optional<qint64> bytes = parseByteCount(value);
                if (!bytes || *bytes < (qint64(1) << 20) || *bytes > (qint64(16) << 30))
                    return refused(QStringLiteral(
                        "--trace-ring-budget expects 1M to 16G, such as 64M, got '%1'")
                                       .arg(value));
                o.server.traceRingBudget = *bytes;
                return {};
            } },
        { { QStringLiteral("no-trace") }, {},
            QStringLiteral("serve without recording the trace: the timeline, stalls and exports\n"
                           "stay empty (what tracing costs is the difference)"),
            {},
            [](const QString &, O &o) -> Result {
                o.server.tracing = false;
                return {};
            } },
        { { QStringLiteral("trace-out") }, QStringLiteral("FILE"),
            QStringLiteral("write the trace (Chrome JSON, opens in Perfetto) on exit"), {},
            text([](O &o) -> QString & { return o.traceOut; }) },
        { { QStringLiteral("record") }, QStringLiteral("FILE"),
            QStringLiteral("with --headless: record the session into FILE (.loopscope) as\n"
                           "it runs; complete once the server stops (SIGTERM included)"),
            {}, text([](O &o) -> QString & { return o.recordTo; }) },
        { { QStringLiteral("list-scenarios") }, {},
            QStringLiteral("list the scenarios of the Scenarios menu"), {}, {} },
        { { QStringLiteral("scenario") }, QStringLiteral("NAME"),
            QStringLiteral("play a scenario once the window is up"), {},
            [](const QString &value, O &o) -> Result {
                if (!findScenario(value))
                    return refused(
                        QStringLiteral("unknown scenario '%1' (see --list-scenarios)").arg(value));
                o.scenario = value;
                return {};
            } },
        { { QStringLiteral("check") }, {},
            QStringLiteral("with --scenario: print each of its claims (expected, measured,\n"
                           "PASS or FAIL) once it ran, then quit; exit status 1 when one\n"
                           "failed"),
            {},
            [](const QString &, O &o) -> Result {
                o.check = true;
                return {};
            } },
        { { QStringLiteral("at") }, QStringLiteral("S"),
            QStringLiteral("with a recording: put the play head at S seconds (its session\n"
                           "clock) and show the session as it was then"),
            {},
            numberIn(QStringLiteral("at"), 0.0, 1e9,
                [](O &o) -> std::optional<double> & { return o.playHead; }) },
        { { QStringLiteral("speed") }, QStringLiteral("X"),
            QStringLiteral("with a recording: the replay speed, 0.05 to 4 (default 1)"), {},
            numberIn(QStringLiteral("speed"), 0.05, 4.0,
                [](O &o) -> std::optional<double> & { return o.replaySpeed; }) },
        { { QStringLiteral("select") }, QStringLiteral("ID"),
            QStringLiteral("with a recording: select the request whose X-Request-Id is ID\n"
                           "and show its story in the inspector"),
            {},
            [](const QString &value, O &o) -> Result {
                if (o.openRecording.isEmpty())
                    return refused(QStringLiteral("--select needs a recording to open"));
                o.selectRequest = value.toUtf8();
                return {};
            } },
        { { QStringLiteral("screenshot") }, QStringLiteral("FILE"),
            QStringLiteral("save a PNG of the window after the scenario ran (or the\n"
                           "recording opened), then quit"),
            {}, text([](O &o) -> QString & { return o.screenshot; }) },
        { { QStringLiteral("theme") }, QStringLiteral("NAME"),
            QStringLiteral("light, dark or system for this run (the saved theme otherwise)"), {},
            [](const QString &value, O &o) -> Result {
                if (value != u"light" && value != u"dark" && value != u"system")
                    return refused(QStringLiteral("--theme expects light, dark or system, got '%1'")
                                       .arg(value));
                o.theme = value;
                return {};
            } },
        { { QStringLiteral("size") }, QStringLiteral("SIZE"),
            QStringLiteral("the window's size as WxH, e.g. 1024x700 (a screenshot has\n"
                           "exactly that size)"),
            {},
            [](const QString &value, O &o) -> Result {
                static const QRegularExpression form(QStringLiteral("^(\\d{3,5})x(\\d{3,5})$"));
                const QRegularExpressionMatch match = form.match(value);
                const int width = match.captured(1).toInt();
                const int height = match.captured(2).toInt();
                if (!match.hasMatch() || width < 640 || height < 480 || width > 8192
                    || height > 8192)
                    return refused(
                        QStringLiteral("--size expects WxH from 640x480 to 8192x8192, got '%1'")
                            .arg(value));
                o.windowSize = QSize(width, height);
                return {};
            } },
        { { QStringLiteral("h"), QStringLiteral("help") }, {}, QStringLiteral("show this help"), {},
            {} },
        { { QStringLiteral("version") }, {}, QStringLiteral("show the version"), {}, {} },
    };
    return rows;
}

// "--port N", "-h, --help": how the usage text names a row.
QString spelling(const OptionRow &row)
{
    QStringList names;
    for (const QString &name : row.names)
        names.append((name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name);
    QString text = names.join(QStringLiteral(", "));
    if (!row.valueName.isEmpty())
        text += u' ' + row.valueName;
    return text;
}

} // namespace

QString usageText()
{
    // The help column: wide enough for most spellings; longer ones push their first line on.
    constexpr qsizetype kHelpColumn = 25;
    QString text = QStringLiteral(
        "Usage: loopscope [--headless] [--port N] [--bind ADDR] [--database URL] [--mode "
        "ROUTE=VARIANT]...\n"
        "       loopscope FILE.loopscope|TRACE.json [--at S] [--speed X] [--select ID]\n"
        "                                            [--screenshot FILE]\n"
        "       loopscope info FILE.loopscope\n"
        "       loopscope load URL [-n N] [-c C] [-k] [--rate R] [--duration S] [--json FILE]\n"
        "\n");
    const QString indent(kHelpColumn, u' ');
    for (const OptionRow &row : optionTable()) {
        if (!row.section.isEmpty()) {
            text += u'\n';
            if (!row.section.trimmed().isEmpty())
                text += row.section + u'\n';
        }
        const QString head = QStringLiteral("  ") + spelling(row);
        const QStringList lines = row.help.split(u'\n');
        text += head
            + (head.size() < kHelpColumn ? QString(kHelpColumn - head.size(), u' ')
                                         : QStringLiteral("  "))
            + lines.constFirst() + u'\n';
        for (qsizetype i = 1; i < lines.size(); ++i)
            text += indent + lines.at(i) + u'\n';
    }
    return text;
}

CommandLineResult parseCommandLine(const QStringList &arguments)
{
    CommandLineResult result;
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionRow &row : optionTable())
        parser.addOption(QCommandLineOption(row.names, {}, row.valueName));

    auto usageError = [&result](const QString &message) {
        result.action = CommandLineResult::Action::UsageError;
        result.message = message;
        return result;
    };

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1
        || (positional.size() == 1 && parser.isSet(QStringLiteral("headless"))))
        return usageError(QStringLiteral("unexpected argument '%1'").arg(positional.constLast()));
    if (parser.isSet(QStringLiteral("help"))) {
        result.action = CommandLineResult::Action::ShowHelp;
        result.message = usageText();
        return result;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        result.action = CommandLineResult::Action::ShowVersion;
        return result;
    }
    if (parser.isSet(QStringLiteral("list-scenarios"))) {
        result.action = CommandLineResult::Action::ListScenarios;
        return result;
    }

    AppOptions &options = result.options;
    options.openRecording = positional.value(0); // before the options that need it
    for (const OptionRow &row : optionTable()) {
        const QString &name = row.names.constLast();
        if (!row.apply || !parser.isSet(name))
            continue;
        // A flag is applied once; an option once per value, so repeatable ones collect all.
        const QStringList values
            = row.valueName.isEmpty() ? QStringList { QString() } : parser.values(name);
        for (const QString &value : values) {
            if (const Result applied = row.apply(value, options); !applied)
                return usageError(applied.message());
        }
    }

    // What no single option can check alone.
    if (!options.recordTo.isEmpty() && !options.headless)
        return usageError(
            QStringLiteral("--record needs --headless (in the window: File > Save recording...)"));
    if (!options.server.tracing && (!options.recordTo.isEmpty() || !options.traceOut.isEmpty()))
        return usageError(
            QStringLiteral("--record and --trace-out need the trace: not with --no-trace"));
    const http::HttpLimits &limits = options.server.limits;
    if (limits.maxRequestLineBytes > limits.maxHeaderBytes)
        return usageError(
            QStringLiteral("--max-request-line (%1) cannot exceed --max-header-bytes (%2)")
                .arg(limits.maxRequestLineBytes)
                .arg(limits.maxHeaderBytes));
    // The environment keeps the token out of `ps`; the option wins when both are given.
    if (options.server.controlToken.isEmpty())
        options.server.controlToken = qgetenv("LOOPSCOPE_CONTROL_TOKEN");
    if (!options.openRecording.isEmpty() && !options.scenario.isEmpty())
        return usageError(QStringLiteral("a recording is shown as it was: no --scenario with it"));
    if (options.headless
        && (!options.scenario.isEmpty() || !options.screenshot.isEmpty() || !options.theme.isEmpty()
            || options.windowSize.isValid()))
        return usageError(QStringLiteral(
            "--scenario, --screenshot, --theme and --size need the window, not --headless"));
    if (options.check && options.scenario.isEmpty())
        return usageError(QStringLiteral("--check needs a --scenario to check"));
    return result;
}

} // namespace loopscope
