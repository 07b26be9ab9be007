#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

class QPixmap;

namespace loopscope {

// What the exports write (--trace-out, the window's File > Export). Failures are ErrorKind::Io,
// their message naming the file and the system's reason.
Result writeFile(const QString &path, const QByteArray &bytes);
// The retained trace window as Chrome JSON (opens in Perfetto and chrome://tracing).
Result writeTrace(const QString &path);
// In the format the file name's suffix names, PNG when it names none.
Result writeImage(const QString &path, const QPixmap &image);

} // namespace loopscope
