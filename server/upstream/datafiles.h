#pragma once

#include <QString>
#include <mutex>
#include <optional>
#include <vector>

namespace loopscope::upstream {

// The data directory behind GET /files/{name}: a few generated text files (1, 10, 100 MB),
// written on first use, plus any regular file someone put there. Names never leave the
// directory: no separators, no dot files, canonical path checked.
class DataFiles
{
public:
    struct Entry
    {
        QString name;
        qint64 size;
    };

    explicit DataFiles(QString directory = {}); // empty: a cache directory
    QString directory() const { return m_directory; }
    static const std::vector<Entry> &catalog();

    // The absolute path for `name`, or nothing (answer 404). Cheap, no file is written.
    std::optional<QString> resolve(const QString &name) const;
    // Makes sure a catalogue file exists with its full size; blocking (call it off the loop).
    // False when it cannot be written.
    bool ensure(const QString &name);

private:
    QString m_directory;
    std::mutex m_generating;
};

} // namespace loopscope::upstream
