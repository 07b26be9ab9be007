#include "recording.h"

#include "bytecodec.h"
#include "eventdecoder.h"

#include <unordered_map>

namespace loopscope::recording {

bool valueIsTime(trace::Kind kind) noexcept
{
    return trace::valueIsTime(trace::decode(kind).step);
}

bool linkIsTime(trace::Kind kind) noexcept
{
    return trace::linkIsTime(trace::decode(kind).step);
}

bool linkIsSpan(trace::Kind kind) noexcept
{
    return trace::linkIsSpan(trace::decode(kind));
}

void Recording::rebase(trace::Nanos newOrigin)
{
    const trace::Nanos shift = wrappingSub(newOrigin, origin);
    const auto moved = [shift](trace::Nanos t) { return t == 0 ? t : wrappingAdd(t, shift); };
    std::unordered_map<std::uint32_t, std::uint32_t> labelIds;
    for (const auto &[id, text] : labels)
        labelIds.emplace(id, trace::label(text.toStdString()));
    for (trace::Event &e : events) {
        e.time = wrappingAdd(e.time, shift);
        if (valueIsTime(e.kind))
            e.value = moved(e.value);
        if (linkIsTime(e.kind))
            e.link = std::uint64_t(moved(trace::Nanos(e.link)));
        const auto it = labelIds.find(e.label);
        e.label = it == labelIds.end() ? 0 : it->second;
    }
    for (auto &label : labels)
        label.first = labelIds[label.first];
    origin = newOrigin;
}

QString Recording::threadName(std::uint32_t index) const
{
    for (const trace::ThreadInfo &t : threads) {
        if (t.index == index)
            return t.name;
    }
    return QStringLiteral("thread %1").arg(index);
}

} // namespace loopscope::recording
