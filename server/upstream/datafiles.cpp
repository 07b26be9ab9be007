#include "datafiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <unistd.h>

namespace loopscope::upstream {

DataFiles::DataFiles(QString directory)
    : m_directory(std::move(directory))
{
    if (m_directory.isEmpty()) {
        QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        if (cache.isEmpty())
            cache = QDir::tempPath() + QStringLiteral("/loopscope-%1").arg(::getuid());
        m_directory = cache + QStringLiteral("/files");
    }
    m_directory = QDir(m_directory).absolutePath();
}

const std::vector<DataFiles::Entry> &DataFiles::catalog()
{
    static const std::vector<Entry> entries {
        { QStringLiteral("1mb.txt"), 1 << 20 },
        { QStringLiteral("10mb.txt"), 10 << 20 },
        { QStringLiteral("100mb.txt"), 100 << 20 },
    };
    return entries;
}

std::optional<QString> DataFiles::resolve(const QString &name) const
{
    if (name.isEmpty() || name.startsWith(u'.') || name.contains(u'/') || name.contains(u'\\')
        || name.contains(QChar(0)))
        return std::nullopt;
    const QString path = m_directory + u'/' + name;
    for (const Entry &entry : catalog()) {
        if (entry.name == name)
            return path;
    }
    // Someone else's file in the directory: only a regular file that really lives there.
    const QFileInfo info(path);
    if (!info.isFile() || info.isSymLink())
        return std::nullopt;
    if (QFileInfo(info.canonicalPath()).canonicalFilePath()
        != QFileInfo(m_directory).canonicalFilePath())
        return std::nullopt;
    return info.canonicalFilePath();
}

bool DataFiles::ensure(const QString &name)
{
    const auto entry = std::find_if(
        catalog().begin(), catalog().end(), [&name](const Entry &e) { return e.name == name; });
    if (entry == catalog().end())
        return QFileInfo(m_directory + u'/' + name).isFile();
    const QString path = m_directory + u'/' + name;
    std::lock_guard lock(m_generating);
    if (QFileInfo(path).size() == entry->size)
        return true;
    if (!QDir().mkpath(m_directory))
        return false;
    QByteArray block;
    block.reserve(1 << 20);
    for (int line = 0; block.size() < (1 << 20); ++line)
        block += QByteArray("loopscope data file ") + name.toUtf8() + ", line "
            + QByteArray::number(line).rightJustified(8, '0') + " -- the quick brown fox\n";
    block.truncate(1 << 20);
    QSaveFile file(path); // renamed into place only when complete
    if (!file.open(QIODevice::WriteOnly))
        return false;
    for (qint64 written = 0; written < entry->size; written += block.size())
        file.write(block.constData(), qMin<qint64>(block.size(), entry->size - written));
    return file.commit();
}

} // namespace loopscope::upstream
