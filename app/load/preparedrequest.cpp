#include "preparedrequest.h"

#include <QStringBuilder>

namespace loopscope::load {

namespace {

bool hasHeader(const RequestTemplate &t, const char *name)
{
    for (const auto &h : t.headers) {
        if (h.first.compare(QByteArray(name), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

PreparedRequest PreparedRequest::render(
    const RequestTemplate &t, const LoadPlan &plan, const QByteArray &runId)
{
    PreparedRequest p;
    p.isHead = t.method == "HEAD";
    QByteArray &h = p.head;
    h += t.method + ' ' + t.target + " HTTP/1.1\r\n";
    if (!hasHeader(t, "host")) {
        QByteArray host = plan.host.toUtf8();
        if (host.contains(':'))
            host = '[' + host + ']';
        h += "Host: " + host;
        if (plan.port != 80)
            h += ':' + QByteArray::number(plan.port);
        h += "\r\n";
    }
    if (!hasHeader(t, "user-agent"))
        h += "User-Agent: loopscope-load\r\n";
    if (!hasHeader(t, "accept"))
        h += "Accept: */*\r\n";
    for (const auto &[name, value] : t.headers)
        h += name + ": " + value + "\r\n";
    h += "X-Request-Id: load-" + runId + '-';
    if (plan.sendSentTime && !hasHeader(t, "x-loopscope-sent"))
        p.sentField = "\r\nX-Loopscope-Sent: ";

    QByteArray &tail = p.tail;
    tail += "\r\n";
    if (!plan.keepAlive && !hasHeader(t, "connection"))
        tail += "Connection: close\r\n";
    const bool bodyMethod = t.method == "POST" || t.method == "PUT" || t.method == "PATCH";
    if ((bodyMethod || !t.body.isEmpty()) && !hasHeader(t, "content-length"))
        tail += "Content-Length: " + QByteArray::number(t.body.size()) + "\r\n";
    tail += "\r\n";
    tail += t.body;
    return p;
}

} // namespace loopscope::load
