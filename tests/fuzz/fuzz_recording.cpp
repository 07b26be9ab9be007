// Any bytes through the recording reader: it refuses what it cannot read with a message and
// never crashes, over-reads or allocates what a damaged size asks for. What it accepts, the event
// codec writes back and reads again to the very same events. The same bytes also go to the event
// decoder alone: inside a file every block is compressed, which mutations rarely keep valid.
// And to the reader of the Chrome trace export (File > Open takes both): what it accepts comes out
// in time order, as the timeline and the replay need it, and encodes back like a recording.
// And to the client requests decoder alone: what it accepts encodes back to the same requests.

#include "chrometracereader.h"
#include "clientrequestcodec.h"
#include "eventcodec.h"
#include "recordingreader.h"
#include "recordingsummary.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace loopscope;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_recording: %s\n", what);
    std::abort();
}

void checkEncodesBack(const std::vector<trace::Event> &events, trace::Nanos origin)
{
    std::vector<trace::Event> again;
    if (!recording::decodeEvents(recording::encodeEvents(events, origin), origin, again))
        fail("accepted events do not encode back");
    if (again.size() != events.size())
        fail("a different number of events after encoding back");
    for (std::size_t i = 0; i < again.size(); ++i) {
        const trace::Event &a = events[i];
        const trace::Event &b = again[i];
        if (a.kind != b.kind || a.time != b.time || a.span != b.span || a.link != b.link
            || a.value != b.value || a.label != b.label || a.thread != b.thread
            || a.requestIdView() != b.requestIdView())
            fail("an event changed on encoding back");
    }
}

void checkEncodesBack(const recording::RunRequests &run)
{
    recording::RunRequests again;
    if (!recording::decodeClientRequests(
            recording::encodeClientRequests(run.runId, run.requests), again))
        fail("accepted client requests do not encode back");
    if (again.runId != run.runId || again.requests != run.requests)
        fail("client requests changed on encoding back");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(data, qsizetype(size));
    const QString name = QStringLiteral("input");
    const recording::ReadResult read = recording::parseRecording(bytes, name);
    if (read) {
        recording::summarize(read.recording, qint64(size));
        checkEncodesBack(read.recording.events, read.recording.origin);
        for (const recording::RunRequests &run : read.recording.clientRequests)
            checkEncodesBack(run);
    } else if (!read.message().startsWith(name + QStringLiteral(": "))) {
        fail("an error that does not name the file");
    }

    std::vector<trace::Event> events;
    if (recording::decodeEvents(bytes, 1'000'000, events))
        checkEncodesBack(events, 1'000'000);

    if (recording::RunRequests run; recording::decodeClientRequests(bytes, run))
        checkEncodesBack(run);

    const recording::ReadResult trace = recording::parseChromeTrace(bytes, name);
    if (trace) {
        const std::vector<trace::Event> &read = trace.recording.events;
        for (std::size_t i = 1; i < read.size(); ++i) {
            if (read[i].time < read[i - 1].time)
                fail("a trace export read back out of time order");
        }
        checkEncodesBack(read, trace.recording.origin);
    } else if (!trace.message().startsWith(name + QStringLiteral(": "))) {
        fail("a trace export's error that does not name the file");
    }
    return 0;
}
