#pragma once

#include <QtCore/QString>

namespace loopscope {

// Why an operation failed, as far as its caller has to act on it: the command line exits with 2
// for a BadArgument and 1 for the others, the window titles its warning by it. Decide on the
// kind, never on the message's text.
enum class ErrorKind
{
    BadArgument, // what the user asked for is wrong: an option, a URL, a mode assignment
    BadData, // the input is not what it claims to be: a damaged, foreign or newer file
    Io, // the system refused: a file not read or written, a port not bound, a peer unreachable
    Internal, // a step that should have worked did not: a statement the database rejected
};

// What an operation that can fail returns: success, or an error kind and a message for a person
// that names what failed (the file, the option, the address) and why. A value that comes with
// success rides in a struct deriving from it (`struct ReadResult : Result { Recording
// recording; }` or `DbResult<T>`), so every such answer is tested and read the same way.
class [[nodiscard]] Result
{
public:
    Result() = default; // success
    static Result failure(ErrorKind kind, QString message)
    {
        Result result;
        result.m_failed = true;
        result.m_kind = kind;
        result.m_message = std::move(message);
        return result;
    }

    // For a result that carries a value (a struct deriving from Result): makes it `outcome`
    // and keeps what it carries, such as the figures of a load run that ended in an error.
    void setOutcome(Result outcome) { *this = std::move(outcome); }

    explicit operator bool() const { return !m_failed; }
    // Meaningful only on failure.
    ErrorKind kind() const { return m_kind; }
    // Empty on success.
    const QString &message() const { return m_message; }

private:
    bool m_failed = false;
    ErrorKind m_kind = ErrorKind::Io;
    QString m_message;
};

} // namespace loopscope
