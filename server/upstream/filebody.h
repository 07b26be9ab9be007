#pragma once

#include "core/offloader.h"
#include "http/bodysource.h"

#include <QString>
#include <chrono>
#include <memory>

namespace loopscope::upstream {

// A file descriptor that any pool thread may read with pread (a QFile belongs to one thread).
// Each read takes at least `readDelay`, on the thread that reads: a slow disk.
class FileHandle
{
public:
    explicit FileHandle(const QString &path, std::chrono::milliseconds readDelay = {});
    ~FileHandle();
    FileHandle(const FileHandle &) = delete;
    FileHandle &operator=(const FileHandle &) = delete;

    qint64 size() const; // -1 when the file could not be opened
    QByteArray read(qint64 offset, qint64 length) const; // shorter on a read error or at the end

private:
    int m_fd = -1;
    std::chrono::milliseconds m_readDelay;
};

// The body of GET /files/{name}: read one chunk at a time while it is sent, so a client that does
// not read costs the server the unsent cap plus one chunk, not the file. Each variant reads where
// its lesson says: `async` awaits an aiofiles-style read on the pool, `threadpool` runs a plain
// read on a pool thread (Starlette iterates a sync generator in the threadpool), `blocking` reads
// on the loop, which stalls for each chunk.
class FileBody : public http::BodySource
{
public:
    static constexpr qint64 kChunkBytes = 1 << 20;

    // `waits` is the request's: how its variant reads.
    FileBody(std::shared_ptr<FileHandle> file, qint64 size, Offloader waits);

    qint64 size() const override { return m_size; }
    QCoro::Task<std::optional<QByteArray>> next() override;

    // The trace label of one chunk's read, as the request's variant reads it.
    static std::uint32_t readLabel(const Offloader &waits);

private:
    std::shared_ptr<FileHandle> m_file;
    const qint64 m_size;
    qint64 m_offset = 0;
    Offloader m_waits;
};

} // namespace loopscope::upstream
