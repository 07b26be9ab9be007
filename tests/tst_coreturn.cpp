// QCoro 0.8's TaskPromise::return_value(U &&) moves from any lvalue of a type other than the
// task's: `co_return it->second;` in a Task<std::optional<QJsonObject>> empties the stored
// object (the second GET /users/1 answered {}). This suite scans the sources for a co_return of a
// member, a dereference, an element or a member variable, which must be returned as a copy
// (`co_return T(x);`) or an explicit move of a local (`co_return std::move(*local);`).
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

namespace {

// Blanks comments and the insides of string and character literals, keeping line breaks, so
// the scan sees code only and reports the right line.
QString codeOnly(const QString &source)
{
    QString code = source;
    enum class In
    {
        Code,
        LineComment,
        BlockComment,
        String,
        Char
    } in
        = In::Code;
    for (qsizetype i = 0; i < code.size(); ++i) {
        const QChar c = code.at(i);
        const QChar next = i + 1 < code.size() ? code.at(i + 1) : QChar();
        switch (in) {
        case In::Code:
            if (c == u'/' && next == u'/')
                in = In::LineComment;
            else if (c == u'/' && next == u'*')
                in = In::BlockComment;
            else if (c == u'"')
                in = In::String;
            else if (c == u'\'' && !(i > 0 && code.at(i - 1).isDigit())) // 1'000 separators
                in = In::Char;
            if (in == In::LineComment || in == In::BlockComment)
                code[i] = u' ';
            break;
        case In::LineComment:
            if (c == u'\n')
                in = In::Code;
            else
                code[i] = u' ';
            break;
        case In::BlockComment:
            if (c == u'*' && next == u'/') {
                code[i] = code[i + 1] = u' ';
                ++i;
                in = In::Code;
            } else if (c != u'\n') {
                code[i] = u' ';
            }
            break;
        case In::String:
        case In::Char:
            if (c == u'\\') {
                code[i] = u' ';
                if (i + 1 < code.size() && code.at(i + 1) != u'\n')
                    code[++i] = u' ';
            } else if (c == (in == In::String ? u'"' : u'\'')) {
                in = In::Code;
            } else if (c != u'\n') {
                code[i] = u' ';
            }
            break;
        }
    }
    return code;
}

// Index of the bracket closing the one at `open`, or -1.
qsizetype matchingBracket(const QString &text, qsizetype open)
{
    int depth = 0;
    for (qsizetype i = open; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'(' || c == u'{' || c == u'[')
            ++depth;
        else if ((c == u')' || c == u'}' || c == u']') && --depth == 0)
            return i;
    }
    return -1;
}

// Splits `cond ? a : b` at its top level into {a, b}; empty when there is no such operator.
QStringList ternaryBranches(const QString &expression)
{
    int depth = 0;
    qsizetype question = -1;
    for (qsizetype i = 0; i < expression.size(); ++i) {
        const QChar c = expression.at(i);
        if (c == u'(' || c == u'{' || c == u'[')
            ++depth;
        else if (c == u')' || c == u'}' || c == u']')
            --depth;
        else if (depth == 0 && c == u'?' && question < 0)
            question = i;
        else if (depth == 0 && c == u':' && question >= 0 && expression.at(i - 1) != u':'
            && (i + 1 == expression.size() || expression.at(i + 1) != u':'))
            return { expression.mid(question + 1, i - question - 1).trimmed(),
                expression.mid(i + 1).trimmed() };
    }
    return {};
}

} // namespace

// Empty when `co_return EXPRESSION;` cannot move from storage that outlives the coroutine: a
// call or construction (a new object; `std::move(x)` says the move is meant), a literal, an
// awaited result, or a plain name (a local or parameter, which the frame owns). A member, a
// dereference, an element or an `m_` member variable is reported with the reason.
QString movedReturnProblem(const QString &rawExpression)
{
    const QString expression = rawExpression.simplified();
    if (expression.isEmpty() || expression.startsWith(u"co_await "))
        return {};
    if (const QStringList branches = ternaryBranches(expression); !branches.isEmpty()) {
        for (const QString &branch : branches) {
            if (const QString problem = movedReturnProblem(branch); !problem.isEmpty())
                return problem;
        }
        return {};
    }
    static const QRegularExpression literal(
        QStringLiteral(R"(^(-?[0-9][0-9a-zA-Z.']*|true|false|nullptr|std::nullopt|"\s*")$)"));
    if (literal.match(expression).hasMatch())
        return {};
    static const QRegularExpression plainName(QStringLiteral(R"(^[A-Za-z_]\w*$)"));
    if (plainName.match(expression).hasMatch()) {
        if (expression.startsWith(u"m_") || expression == u"this")
            return QStringLiteral("returns the member variable '%1'").arg(expression);
        return {};
    }
    // A call or a construction: `f(...)`, `a.b(...)`, `T<U>{...}`, `{...}`, ending with the
    // bracket that closes its argument list.
    const qsizetype open = expression.indexOf(QRegularExpression(QStringLiteral(R"([({])")));
    static const QRegularExpression callee(QStringLiteral(R"(^([A-Za-z_][\w:<>, .\->]*)?$)"));
    if (open >= 0 && callee.match(expression.left(open).trimmed()).hasMatch()
        && matchingBracket(expression, open) == expression.size() - 1)
        return {};
    return QStringLiteral("returns '%1', which QCoro 0.8 moves from unless it is a local of the "
                          "task's type: return a copy (co_return T(x);)")
        .arg(expression);
}

// Every offending co_return in `source`, as "LINE: reason".
QStringList movedReturns(const QString &source)
{
    const QString code = codeOnly(source);
    static const QRegularExpression keyword(QStringLiteral(R"(\bco_return\b)"));
    QStringList found;
    for (auto it = keyword.globalMatch(code); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const qsizetype start = match.capturedEnd();
        qsizetype end = start;
        int depth = 0;
        for (; end < code.size(); ++end) {
            const QChar c = code.at(end);
            if (c == u'(' || c == u'{' || c == u'[')
                ++depth;
            else if (c == u')' || c == u'}' || c == u']')
                --depth;
            else if (c == u';' && depth == 0)
                break;
        }
        const QString problem = movedReturnProblem(code.mid(start, end - start));
        if (!problem.isEmpty()) {
            const qsizetype line = code.left(match.capturedStart()).count(u'\n') + 1;
            found << QStringLiteral("%1: %2").arg(line).arg(problem);
        }
    }
    return found;
}

class TestCoReturn : public QObject
{
    Q_OBJECT
private slots:
    void classifies_data();
    void classifies();
    void flagsTheOriginalUserServiceBug();
    void treeReturnsNoStoredObject();
};

void TestCoReturn::classifies_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("safe");
    const QList<std::pair<const char *, bool>> rows {
        { "it->second", false },
        { "m_users[userId]", false },
        { "*failed", false },
        { "m_value", false },
        { "this->value", false },
        { "record.name", false },
        { "*lookup(key)", false },
        { "items()[0]", false },
        { "ok ? m_cache : fallback()", false },
        { "std::optional<QJsonObject>(it->second)", true },
        { "QJsonObject(it->second)", true },
        { "std::move(*failed)", true },
        { "user", true },
        { "std::nullopt", true },
        { "42", true },
        { "{}", true },
        { "", true },
        { "co_await task", true },
        { "HttpResponse::json(*user)", true },
        { "params.errorResponse()", true },
        { "HttpResponse::detail(404, QStringLiteral(\"x\"))", true },
        { "outbound ? HttpResponse::json(describe(*outbound)) : unavailable()", true },
        { "Result { a, b }", true },
    };
    for (const auto &[expression, safe] : rows)
        QTest::newRow(expression) << QString::fromLatin1(expression) << safe;
}

void TestCoReturn::classifies()
{
    QFETCH(QString, expression);
    QFETCH(bool, safe);
    const QString problem = movedReturnProblem(expression);
    QVERIFY2(problem.isEmpty() == safe,
        qPrintable(problem.isEmpty() ? QStringLiteral("not flagged") : problem));
}

void TestCoReturn::flagsTheOriginalUserServiceBug()
{
    // UserService::getUser before the fix, comment and all.
    const QString source = QStringLiteral(
        "QCoro::Task<std::optional<QJsonObject>> UserService::getUser(RequestContext &c, qint64 "
        "id)\n"
        "{\n"
        "    co_await c.simulatedIo(50ms, label); // \"co_return x;\" in a comment is no code\n"
        "    const auto it = m_users.find(id);\n"
        "    if (it == m_users.end())\n"
        "        co_return std::nullopt;\n"
        "    co_return it->second;\n"
        "}\n");
    const QStringList found = movedReturns(source);
    QCOMPARE(found.size(), 1);
    QVERIFY2(found.constFirst().startsWith(u"7: "), qPrintable(found.constFirst()));
}

void TestCoReturn::treeReturnsNoStoredObject()
{
    QStringList offenders;
    int scanned = 0;
    for (const char *folder : { "server", "app", "visualizer", "tests" }) {
        const QString root = QStringLiteral(LOOPSCOPE_SOURCE_DIR "/") + QLatin1String(folder);
        QDirIterator files(root, { QStringLiteral("*.cpp"), QStringLiteral("*.h") }, QDir::Files,
            QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            ++scanned;
            for (const QString &finding : movedReturns(QString::fromUtf8(file.readAll())))
                offenders << QStringLiteral("%1:%2").arg(path, finding);
        }
    }
    QVERIFY(scanned > 100);
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestCoReturn)
#include "tst_coreturn.moc"
