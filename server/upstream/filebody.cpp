#include "filebody.h"

#include "trace/trace.h"

#include <QFile>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace loopscope::upstream {

FileHandle::FileHandle(const QString &path, std::chrono::milliseconds readDelay)
    : m_fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC))
    , m_readDelay(readDelay)
{ }

FileHandle::~FileHandle()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

qint64 FileHandle::size() const
{
    return m_fd >= 0 ? qint64(::lseek(m_fd, 0, SEEK_END)) : -1;
}

QByteArray FileHandle::read(qint64 offset, qint64 length) const
{
    QByteArray chunk(length, Qt::Uninitialized);
    const ssize_t got = ::pread(m_fd, chunk.data(), size_t(length), off_t(offset));
    chunk.truncate(got < 0 ? 0 : qsizetype(got));
    if (m_readDelay.count() > 0)
        std::this_thread::sleep_for(m_readDelay); // the disk's time: this thread waits, as in pread
    return chunk;
}

FileBody::FileBody(std::shared_ptr<FileHandle> file, qint64 size, Offloader waits)
    : m_file(std::move(file))
    , m_size(size)
    , m_waits(waits)
{ }

std::uint32_t FileBody::readLabel(const Offloader &waits)
{
    static const std::uint32_t aiofiles = trace::label("aiofiles read 1 MiB");
    static const std::uint32_t plain = trace::label("f.read(1 MiB)");
    return waits.callLabel(aiofiles, plain);
}

QCoro::Task<std::optional<QByteArray>> FileBody::next()
{
    if (m_offset >= m_size)
        co_return QByteArray();
    const qint64 length = qMin(kChunkBytes, m_size - m_offset);
    // async awaits the read on the pool (aiofiles), threadpool runs it there, blocking reads on
    // the loop, which nobody else is served from meanwhile.
    auto read = [file = m_file, offset = m_offset, length] { return file->read(offset, length); };
    auto reading = m_waits.offload(readLabel(m_waits), std::move(read), AwaitOnPool {});
    const QByteArray part = co_await reading;
    if (part.size() != length)
        co_return std::nullopt; // the file shrank or failed under us: the length was promised
    m_offset += length;
    co_return part;
}

} // namespace loopscope::upstream
