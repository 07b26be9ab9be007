#include "exportfile.h"

#include "trace/tracehub.h"

#include <QFileInfo>
#include <QPixmap>
#include <QSaveFile>

namespace loopscope {

namespace {
Result cannotWrite(const QString &path, const QString &reason)
{
    return Result::failure(ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(path, reason));
}
} // namespace

Result writeFile(const QString &path, const QByteArray &bytes)
{
    // Written aside and renamed: a failed export leaves an older file as it was.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return cannotWrite(path, file.errorString());
    return {};
}

Result writeTrace(const QString &path)
{
    auto &hub = trace::TraceHub::instance();
    hub.flush();
    return writeFile(path, hub.chromeTraceJson());
}

Result writeImage(const QString &path, const QPixmap &image)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return cannotWrite(path, file.errorString());
    // QPixmap::save says only whether it worked: the device knows why when it failed there.
    const QByteArray format = QFileInfo(path).suffix().toLatin1();
    if (!image.save(&file, format.isEmpty() ? "PNG" : format.constData()) || !file.commit())
        return cannotWrite(path,
            file.error() != QFileDevice::NoError
                ? file.errorString()
                : QStringLiteral("the image could not be encoded"));
    return {};
}

} // namespace loopscope
