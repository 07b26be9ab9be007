#include "eventdecoder.h"

namespace loopscope::trace {

namespace {
DecodedEvent meaning(Step step, SpanKind span = SpanKind::Unknown,
    SpanOutcome outcome = SpanOutcome::Open, std::optional<HandlerVariant> variant = {})
{
    DecodedEvent d;
    d.step = step;
    d.span = span;
    d.outcome = outcome;
    d.variant = variant;
    return d;
}
} // namespace

DecodedEvent decode(Kind kind, std::int64_t value) noexcept
{
    switch (kind) {
    case Kind::RequestAccepted:
        return meaning(Step::Open, SpanKind::Request);
    case Kind::RequestParsed:
        return meaning(Step::Parse, SpanKind::Request, SpanOutcome::Open, variantFromCode(value));
    case Kind::RequestId:
        return meaning(Step::RequestId, SpanKind::Request);
    case Kind::RequestArrived:
        return meaning(Step::Arrive, SpanKind::Request);
    case Kind::HandlerStarted:
        return meaning(Step::StartHandler, SpanKind::Request);
    case Kind::AwaitSuspend:
        return meaning(Step::Suspend);
    case Kind::AwaitResume:
        return meaning(Step::Resume);
    case Kind::BlockingBegin:
        return meaning(Step::BlockBegin);
    case Kind::BlockingEnd:
        return meaning(Step::BlockEnd);
    case Kind::ResponseWritten:
        return meaning(Step::Respond, SpanKind::Request);
    case Kind::RequestClosed:
        return meaning(Step::Close, SpanKind::Request, SpanOutcome::Done);
    case Kind::TaskSpawned:
        return meaning(Step::Open, SpanKind::Task);
    case Kind::TaskFinished:
        return meaning(Step::Close, SpanKind::Task, SpanOutcome::Done);
    case Kind::TaskFailed:
        return meaning(Step::Close, SpanKind::Task, SpanOutcome::Failed);
    case Kind::TaskCancelled:
        return meaning(Step::Close, SpanKind::Task, SpanOutcome::Cancelled);
    case Kind::JobQueued:
        return meaning(Step::Open, SpanKind::Job);
    case Kind::JobStarted:
        return meaning(Step::StartOnWorker, SpanKind::Job);
    case Kind::JobFinished:
        return meaning(Step::Close, SpanKind::Job, SpanOutcome::Done);
    case Kind::LoopStallBegin:
        return meaning(Step::StallBegin);
    case Kind::LoopStallEnd:
        return meaning(Step::StallEnd);
    case Kind::LoopLag:
        return meaning(Step::Lag);
    case Kind::ServerStopping:
        return meaning(Step::ServerStop);
    case Kind::ServerStarted:
        return meaning(Step::ServerStart);
    }
    // Unreachable: every Kind is above, and a recording refuses kinds it does not know.
    return meaning(Step::Lag);
}

std::string_view serverMarkName(Step step) noexcept
{
    switch (step) {
    case Step::ServerStop:
        return "server stopping";
    case Step::ServerStart:
        return "server started";
    default:
        return {};
    }
}

bool isLoopWide(Step step) noexcept
{
    switch (step) {
    case Step::Open:
    case Step::Parse:
    case Step::RequestId:
    case Step::Arrive:
    case Step::StartHandler:
    case Step::StartOnWorker:
    case Step::Suspend:
    case Step::Resume:
    case Step::BlockBegin:
    case Step::BlockEnd:
    case Step::Respond:
    case Step::Close:
        return false;
    case Step::StallBegin:
    case Step::StallEnd:
    case Step::Lag:
    case Step::ServerStop:
    case Step::ServerStart:
        return true;
    }
    return true;
}

bool valueIsTime(Step step) noexcept
{
    switch (step) {
    case Step::Arrive:
    case Step::StallBegin:
        return true;
    case Step::Open:
    case Step::Parse:
    case Step::RequestId:
    case Step::StartHandler:
    case Step::StartOnWorker:
    case Step::Suspend:
    case Step::Resume:
    case Step::BlockBegin:
    case Step::BlockEnd:
    case Step::Respond:
    case Step::Close:
    case Step::StallEnd: // a duration: it moves with nothing
    case Step::Lag:
    case Step::ServerStop:
    case Step::ServerStart:
        return false;
    }
    return false;
}

bool linkIsTime(Step step) noexcept
{
    return step == Step::Arrive;
}

bool linkIsSpan(const DecodedEvent &d) noexcept
{
    return d.step == Step::Open && (d.span == SpanKind::Task || d.span == SpanKind::Job);
}

} // namespace loopscope::trace
