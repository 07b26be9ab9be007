#include "filebody.h"

#include "core/workerpool.h"
#include "trace/trace.h"

#include <QFile>
#include <fcntl.h>
#include <unistd.h>

namespace loopscope::upstream {

FileHandle::FileHandle(const QString &path)
    : m_fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC))
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
    return chunk;
}

FileBody::FileBody(std::shared_ptr<FileHandle> file, qint64 size, HandlerVariant variant,
    WorkerPool &pool, quint64 span)
    : m_file(std::move(file))
    , m_size(size)
    , m_variant(variant)
    , m_pool(pool)
    , m_span(span)
{ }

std::uint32_t FileBody::readLabel(HandlerVariant variant)
{
    static const std::uint32_t aiofiles = trace::label("aiofiles read 1 MiB");
    static const std::uint32_t plain = trace::label("f.read(1 MiB)");
    switch (variant) {
    case HandlerVariant::Async:
        return aiofiles;
    case HandlerVariant::ThreadPool:
    case HandlerVariant::Blocking:
        return plain;
    }
    return plain;
}

QCoro::Task<std::optional<QByteArray>> FileBody::next()
{
    if (m_offset >= m_size)
        co_return QByteArray();
    const qint64 length = qMin(kChunkBytes, m_size - m_offset);
    const std::uint32_t label = readLabel(m_variant);
    QByteArray part;
    switch (m_variant) {
    case HandlerVariant::Async:
    case HandlerVariant::ThreadPool: {
        auto read
            = [file = m_file, offset = m_offset, length] { return file->read(offset, length); };
        part = co_await m_pool.run(std::move(read), m_span, label);
        break;
    }
    case HandlerVariant::Blocking:
        trace::record(trace::Kind::BlockingBegin, m_span, label);
        part = m_file->read(m_offset, length); // on the loop: nobody else is served meanwhile
        trace::record(trace::Kind::BlockingEnd, m_span, label);
        break;
    }
    if (part.size() != length)
        co_return std::nullopt; // the file shrank or failed under us: the length was promised
    m_offset += length;
    co_return part;
}

} // namespace loopscope::upstream
