#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <map>
#include <mutex>
#include <optional>

namespace loopscope {

// The course's practice task: products in an in-memory dictionary. Its operations are plain
// calls because they do no I/O; the route decides where they run. The threadpool variant runs
// them on pool threads concurrently, hence the lock (what a `def` route sharing state needs).
class ProductService
{
public:
    QJsonObject createProduct(const QString &name, double price);
    std::optional<QJsonObject> getProduct(qint64 productId) const;
    QJsonArray listProducts() const;

private:
    mutable std::mutex m_mutex;
    std::map<qint64, QJsonObject> m_products;
    qint64 m_lastId = 0;
};

} // namespace loopscope
