#pragma once

#include <QString>

namespace loopscope::db {

// What a database job hands back to the handler: its value, or why there is none.
template <typename T> struct DbResult
{
    T value {};
    QString errorMessage;
    bool unavailable = false; // the database could not be reached (503), not a bad statement (500)

    explicit operator bool() const { return errorMessage.isEmpty(); }

    static DbResult failed(QString message, bool unreachable)
    {
        DbResult result;
        result.errorMessage = std::move(message);
        result.unavailable = unreachable;
        return result;
    }
};

} // namespace loopscope::db
