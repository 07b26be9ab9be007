#pragma once

#include "core/result.h"
#include "recording.h"

#include <QtCore/QByteArrayView>
#include <QtCore/QString>

namespace loopscope::recording {

// On failure, message() is "FILE: what is wrong", naming the block or byte where it is; the kind
// is Io when the file could not be read, BadData when its bytes are not a recording.
struct ReadResult : Result
{
    Recording recording;
};

// Reads a whole .loopscope file. Refuses, with the reason, anything that is not a complete
// recording of a version it knows: another kind of file, a newer version, a file cut short (no
// end block), a block that does not inflate to its stated size, events that go back in time on
// one thread, counts that disagree with the end block.
ReadResult readRecording(const QString &path);
// The same over bytes in memory; `name` is what the messages call them.
ReadResult parseRecording(QByteArrayView bytes, const QString &name);

// True when the bytes start like a recording, whatever their version: how File > Open tells a
// recording from a Chrome trace.
bool looksLikeRecording(QByteArrayView head);

} // namespace loopscope::recording
