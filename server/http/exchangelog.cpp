#include "exchangelog.h"

#include "httprequest.h"
#include "httpresponse.h"

namespace loopscope::http {

namespace {

QByteArray preview(const QByteArray &body)
{
    if (body.size() <= ExchangeLog::bodyPreviewBytes)
        return body;
    return body.first(ExchangeLog::bodyPreviewBytes) + "\n… (" + QByteArray::number(body.size())
        + " bytes in all)";
}

} // namespace

void ExchangeLog::add(quint64 span, const QByteArray &requestId, const HttpRequest &request,
    const HttpResponse &response)
{
    Exchange exchange;
    exchange.span = span;
    exchange.requestId = requestId;
    exchange.requestHead = request.method + ' ' + request.path
        + (request.query.isEmpty() ? QByteArray() : '?' + request.query) + " HTTP/1."
        + QByteArray::number(request.minorVersion) + '\n';
    for (const auto &[name, value] : request.headers)
        exchange.requestHead += name + ": " + value + '\n';
    exchange.requestBody = preview(request.body);
    exchange.responseHead
        = QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + '\n';
    if (!response.contentType.isEmpty())
        exchange.responseHead += "content-type: " + response.contentType + '\n';
    for (const auto &[name, value] : response.headers)
        exchange.responseHead += name + ": " + value + '\n';
    exchange.responseHead += "x-request-id: " + requestId + '\n';
    exchange.responseBody = preview(response.body);

    const std::lock_guard lock(m_mutex);
    m_exchanges.push_back(std::move(exchange));
    if (m_exchanges.size() > capacity)
        m_exchanges.pop_front();
}

std::optional<Exchange> ExchangeLog::find(quint64 span) const
{
    const std::lock_guard lock(m_mutex);
    for (auto it = m_exchanges.rbegin(); it != m_exchanges.rend(); ++it) {
        if (it->span == span)
            return *it;
    }
    return std::nullopt;
}

} // namespace loopscope::http
