#include "httpsyntax.h"

namespace loopscope::http::syntax {

namespace {

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isTokenChar(char c)
{
    if (isAlnum(c))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

// RFC 3986 reg-name: unreserved / pct-encoded / sub-delims ('%' is checked by the caller).
bool isRegNameChar(char c)
{
    if (isAlnum(c))
        return true;
    switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
        return true;
    default:
        return false;
    }
}

bool isRegName(QByteArrayView name)
{
    for (qsizetype i = 0; i < name.size(); ++i) {
        if (name[i] == '%') {
            if (i + 2 >= name.size() || hexValue(name[i + 1]) < 0 || hexValue(name[i + 2]) < 0)
                return false;
            i += 2;
        } else if (!isRegNameChar(name[i])) {
            return false;
        }
    }
    return true;
}

// IP-literal without its brackets: an IPv6 address (hex digits, ':' and a dotted IPv4 tail)
// or IPvFuture ("v" HEXDIG "." ...). Loose on the exact IPv6 grammar, strict on the alphabet.
bool isIpLiteral(QByteArrayView inside)
{
    if (inside.isEmpty())
        return false;
    if (inside.front() == 'v' || inside.front() == 'V') {
        for (char c : inside.sliced(1)) {
            if (!isRegNameChar(c) && c != ':')
                return false;
        }
        return true;
    }
    for (char c : inside) {
        if (hexValue(c) < 0 && c != ':' && c != '.')
            return false;
    }
    return inside.contains(':');
}

bool isPort(QByteArrayView digits)
{
    qint64 port = 0;
    if (digits.isEmpty())
        return true; // port = *DIGIT
    return digits.size() <= 5 && parseDecimal(digits, port) && port <= 65535;
}

} // namespace

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isFieldValue(QByteArrayView text)
{
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7f)
            return false;
    }
    return true;
}

bool isHostValue(QByteArrayView text)
{
    QByteArrayView host = text;
    QByteArrayView port;
    if (text.startsWith('[')) {
        const qsizetype close = text.indexOf(']');
        if (close < 0 || !isIpLiteral(text.sliced(1, close - 1)))
            return false;
        host = {};
        const QByteArrayView rest = text.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (rest.front() != ':')
                return false;
            port = rest.sliced(1);
        }
    } else if (const qsizetype colon = text.lastIndexOf(':'); colon >= 0) {
        host = text.first(colon);
        port = text.sliced(colon + 1);
    }
    return isRegName(host) && isPort(port);
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

bool parseDecimal(QByteArrayView digits, qint64 &value)
{
    if (digits.isEmpty() || digits.size() > 18)
        return false;
    qint64 parsed = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return false;
        parsed = parsed * 10 + (c - '0');
    }
    value = parsed;
    return true;
}

bool listContains(QByteArrayView list, QByteArrayView token)
{
    qsizetype start = 0;
    while (start <= list.size()) {
        qsizetype comma = list.indexOf(',', start);
        if (comma < 0)
            comma = list.size();
        if (trimmed(list.sliced(start, comma - start)).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        start = comma + 1;
    }
    return false;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace loopscope::http::syntax
