// The resumable request parser against itself: the same bytes parsed as they would arrive in
// one piece and split at fuzzer-chosen points, the way a connection's buffer grows between
// reads. Both must agree on every request of the stream (status, length, error, method,
// target, fields, body), and the work must stay linear in the bytes given.
//
// Input: a first byte whose low 3 bits give how many split sizes follow (each next byte + 1,
// used in turn) and whose high bit prefixes a chunked POST head, so most inputs exercise the
// chunk decoder; the rest is the byte stream of one connection.

#include "http/httpparser.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace loopscope::http;

namespace {

[[noreturn]] void fail(const char *what, QByteArrayView input)
{
    std::fprintf(stderr, "fuzz_chunked: %s\n%s\n", what,
        input.first(qMin<qsizetype>(input.size(), 2048))
            .toByteArray()
            .toPercentEncoding()
            .constData());
    std::abort();
}

// Small limits, so short inputs reach every bound; the framing bound of a chunked body
// (2 * body + head + 4096 bytes) stays above the longest input, since a one-piece parse checks
// it only while a body is incomplete.
HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 64;
    limits.maxHeaderBytes = 256;
    limits.maxBodyBytes = 200;
    limits.maxHeaderCount = 8;
    return limits;
}
constexpr qsizetype maxInput = 4096;

struct Outcome
{
    HttpParser::Status status = HttpParser::Status::NeedMore;
    qsizetype consumed = 0;
    int errorStatus = 0;
    HttpRequest request;

    bool operator==(const Outcome &other) const
    {
        const HttpRequest &a = request;
        const HttpRequest &b = other.request;
        return status == other.status && consumed == other.consumed
            && errorStatus == other.errorStatus && a.method == b.method && a.path == b.path
            && a.query == b.query && a.minorVersion == b.minorVersion && a.keepAlive == b.keepAlive
            && a.expectsContinue == b.expectsContinue && a.headers == b.headers && a.body == b.body;
    }
};

// Parses every request of `stream`, each fed in growing prefixes of the given sizes (one size
// larger than the stream: in one piece). Stops at an error or an unfinished request.
std::vector<Outcome> parseStream(
    QByteArrayView stream, const std::vector<qsizetype> &splits, quint64 &examined)
{
    HttpParser parser(smallLimits());
    std::vector<Outcome> outcomes;
    std::size_t nextSplit = 0;
    qsizetype offset = 0;
    while (offset < stream.size()) {
        const QByteArrayView rest = stream.sliced(offset);
        Outcome outcome;
        HttpParser::Result result;
        qsizetype fed = 0;
        bool headReported = false;
        do {
            fed = qMin(rest.size(), fed + splits[nextSplit++ % splits.size()]);
            result = parser.parse(rest.first(fed), outcome.request);
            if (result.awaitingBody) {
                if (headReported)
                    fail("the head of one request was reported twice", stream);
                headReported = true;
            }
        } while (result.status == HttpParser::Status::NeedMore && fed < rest.size());
        outcome.status = result.status;
        outcome.consumed = result.consumed;
        outcome.errorStatus = result.errorStatus;
        if (result.status == HttpParser::Status::NeedMore)
            outcome.request = parser.current();
        outcomes.push_back(outcome);
        if (result.status != HttpParser::Status::Complete)
            break;
        if (result.consumed <= 0 || result.consumed > rest.size())
            fail("impossible request length", stream);
        offset += result.consumed;
    }
    examined = parser.examinedBytes();
    return outcomes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1 || size > std::size_t(maxInput))
        return 0;
    const auto *bytes = reinterpret_cast<const char *>(data);
    const int splitCount = data[0] & 7;
    if (size < std::size_t(1 + splitCount))
        return 0;
    std::vector<qsizetype> splits;
    for (int i = 0; i < splitCount; ++i)
        splits.push_back(qsizetype(data[1 + i]) + 1);
    if (splits.empty())
        splits.push_back(1); // byte by byte
    QByteArray stream;
    if (data[0] & 0x80)
        stream = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.append(bytes + 1 + splitCount, qsizetype(size) - 1 - splitCount);

    quint64 examinedAtOnce = 0;
    quint64 examinedInPieces = 0;
    const auto atOnce = parseStream(stream, { maxInput * 2 }, examinedAtOnce);
    const auto inPieces = parseStream(stream, splits, examinedInPieces);
    if (atOnce != inPieces)
        fail("parsing in pieces disagrees with parsing at once", stream);
    // Each byte is scanned for a line end once, then checked or copied once.
    if (examinedInPieces > 2 * quint64(stream.size())
        || examinedAtOnce > 2 * quint64(stream.size()))
        fail("more than two looks at a byte: the parse is not linear", stream);
    return 0;
}
