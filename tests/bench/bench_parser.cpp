// CPU of the request parser for a 1 MB body arriving in 256-byte pieces: in 1-byte chunks
// (Transfer-Encoding: chunked) against the Content-Length baseline, in the same run. Before the
// parser was resumable each piece re-parsed the request from its start: 2.3 s against 0.10 s.
//
//   build/dev/tests/bench/bench_parser
#include "benchsupport.h"

#include "http/httpparser.h"

#include <ctime>

using namespace loopscope;

namespace {

constexpr int bodyBytes = 1024 * 1024;
constexpr qsizetype pieceBytes = 256;
constexpr qsizetype wholeRequest = qsizetype(1) << 40; // one piece: everything at once
constexpr int rounds = 5;

double threadCpuSeconds()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

struct Run
{
    double seconds = 0; // CPU per request, the best of the rounds
    double examinedPerByte = 0;
};

// Feeds `raw` to one parser the way a connection does: its buffer grows a piece at a time.
Run parseInPieces(const QByteArray &raw, qsizetype piece = pieceBytes)
{
    http::HttpLimits limits;
    limits.maxBodyBytes
        = 4 * bodyBytes; // 1-byte chunks take 6 bytes each: within the framing bound
    Run best { 1e9, 0 };
    for (int round = 0; round < rounds; ++round) {
        http::HttpParser parser(limits);
        http::HttpRequest request;
        http::HttpParser::Result result;
        const double start = threadCpuSeconds();
        for (qsizetype end = piece; result.status == http::HttpParser::Status::NeedMore;
             end += piece)
            result = parser.parse(QByteArrayView(raw).first(qMin(end, raw.size())), request);
        const double seconds = threadCpuSeconds() - start;
        if (result.status != http::HttpParser::Status::Complete || request.body.size() != bodyBytes)
            qFatal("the request did not parse");
        if (seconds < best.seconds)
            best = { seconds, double(parser.examinedBytes()) / double(raw.size()) };
    }
    return best;
}

} // namespace

int main()
{
    const QByteArray head = "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const QByteArray chunked = head + "Transfer-Encoding: chunked\r\n\r\n"
        + QByteArray("1\r\nx\r\n").repeated(bodyBytes) + "0\r\n\r\n";
    const QByteArray fixed = head + "Content-Length: " + QByteArray::number(bodyBytes) + "\r\n\r\n"
        + QByteArray(bodyBytes, 'x');

    const Run baseline = parseInPieces(fixed);
    const Run oneByteChunks = parseInPieces(chunked);
    const Run oneByteChunksAtOnce = parseInPieces(chunked, wholeRequest);
    bench::note(QStringLiteral("1 MB body in %1-byte pieces, best of %2 rounds, thread CPU time")
                    .arg(pieceBytes)
                    .arg(rounds));
    bench::figure("parse_content_length_cpu", baseline.seconds * 1000, "ms");
    bench::figure("parse_chunked_1_byte_chunks_cpu", oneByteChunks.seconds * 1000, "ms");
    bench::figure("parse_chunked_vs_content_length", oneByteChunks.seconds / baseline.seconds, "x");
    // Linear: the pieces cost what the whole request costs parsed at once.
    bench::figure("parse_chunked_at_once_cpu", oneByteChunksAtOnce.seconds * 1000, "ms");
    bench::figure("parse_chunked_pieces_vs_at_once",
        oneByteChunks.seconds / oneByteChunksAtOnce.seconds, "x");
    bench::figure("parse_chunked_bytes_examined_per_byte", oneByteChunks.examinedPerByte, "bytes");
    return 0;
}
