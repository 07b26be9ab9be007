#pragma once

#include <QString>

namespace loopscope {

// What the Code tab shows for one route and variant: the course's Python with the variant's
// change (its lines marked "# <-"), and the C++ coroutine that serves the route here. Both come
// from files compiled into the app: resources/coursecode/routes.py.txt, and the route sources
// themselves, so the C++ shown is the code that runs.
struct CourseCode
{
    QString route; // "GET /async"
    QString variant; // "blocking"
    QString python; // empty when the course has no code for this route and variant
    QString cppFile; // "server/routes/courseroutes.cpp"
    QString cpp; // the coroutine's definition with the comment above it; empty when not found
};

CourseCode courseCodeFor(const QString &route, const QString &variant);

// The line of `python` (0-based) where a request waits when the timeline says it is in the wait
// labelled `waitLabel` ("sleep 2s", "db.fetchrow items", "GET upstream/users",
// "semaphore.acquire", "waiting for the GIL"): the first line holding that wait's Python call;
// -1 when the label names no wait the course's code shows.
int pythonLineOfWait(const QString &python, const QString &waitLabel);

// The definition of the function `name` in `source` (a coroutine or a handler factory, at any
// indentation), with the comment lines right above it; empty when there is none.
QString functionSource(const QString &source, const QString &name);

} // namespace loopscope
