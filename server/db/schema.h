#pragma once

namespace loopscope::db {

class DbConnection;

inline constexpr int seedItemCount = 1000;

// Creates the tables the course's examples use (items, posts) when missing, then, on a first
// start (no items yet), inserts the seed items "Item 1".."Item 1000" in one transaction.
// Throws DbFailure.
void createSchema(DbConnection &connection);
void seedItems(DbConnection &connection, int count = seedItemCount);

// Seed item n's price, so tests and benchmarks know what to expect.
inline double seedPrice(long long id)
{
    return double(id % 100) + 0.5;
}

} // namespace loopscope::db
