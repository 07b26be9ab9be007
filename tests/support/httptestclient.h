#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>

namespace loopscope::testing {

struct TestResponse
{
    int status = 0;
    QByteArray head; // status line and headers
    QByteArray body;
    bool complete = false;
    // fetchConcurrently only: when the request was written and its answer had arrived whole, on
    // the steady clock (the trace clock, trace::nowNs()).
    qint64 sentNs = 0;
    qint64 receivedNs = 0;

    QByteArray header(const QByteArray &lowerCaseName) const;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

// Splits a byte stream into the HTTP responses it holds (Content-Length framed or chunked; the
// body of a chunked one is decoded).
QList<TestResponse> splitResponses(const QByteArray &stream);

// One request on a fresh connection with `Connection: close`, read until the server closes.
// Blocking, with a timeout: the server under test runs on its own thread.
TestResponse fetch(quint16 port, const QByteArray &method, const QByteArray &target,
    const QByteArray &body = {}, int timeoutMs = 15000);

// Writes raw bytes on one connection and reads until `responses` answers arrived or the server
// closed; `closedByServer` tells which.
struct RawExchange
{
    QList<TestResponse> responses;
    bool closedByServer = false;
};
RawExchange exchange(quint16 port, const QByteArray &bytes, int responses, int timeoutMs = 15000);

// Sends one request on each of `count` connections at once (`Connection: close`), then collects
// every answer, in connection order; an unanswered one is an empty TestResponse. With a
// requestIdPrefix, connection i sends `X-Request-Id: <prefix><i>`; with sendSentTime, also
// `X-Loopscope-Sent: <sentNs>` as the built-in load generator does (without it the server knows
// only the kernel's arrival time, as for ab or wrk). Answers are watched side by side, so each
// one's receivedNs is within a few milliseconds of its arrival.
QList<TestResponse> fetchConcurrently(quint16 port, const QByteArray &method,
    const QByteArray &target, int count, int timeoutMs = 60000,
    const QByteArray &requestIdPrefix = {}, bool sendSentTime = false);

} // namespace loopscope::testing
