#pragma once

#include <QByteArrayView>
#include <QtGlobal>

// The character classes of RFC 9110/9112 the request parser checks against. One place, so the
// request line, the fields, the trailers and the chunk framing apply the same rules.
namespace loopscope::http::syntax {

bool isToken(QByteArrayView text); // 1*tchar: methods, field names
// field-value (RFC 9110 section 5.5): VCHAR, obs-text (0x80-0xFF), SP and HTAB; no NUL, no
// other control character, no CR.
bool isFieldValue(QByteArrayView text);
// Host = uri-host [ ":" port ] (RFC 9112 section 3.2, RFC 3986 section 3.2.2); the port is
// at most 65535. An empty value is valid (a target without authority).
bool isHostValue(QByteArrayView text);
QByteArrayView trimmed(QByteArrayView text); // without leading and trailing SP / HTAB
// 1*DIGIT up to 18 digits (no sign, no space): a Content-Length.
bool parseDecimal(QByteArrayView digits, qint64 &value);
// Whether a comma-separated list (Connection, Expect) holds `token`, case-insensitively.
bool listContains(QByteArrayView list, QByteArrayView token);
int hexValue(char c); // -1 when not a HEXDIG

} // namespace loopscope::http::syntax
