#include "productservice.h"

namespace loopscope {

QJsonObject ProductService::createProduct(const QString &name, double price)
{
    std::lock_guard lock(m_mutex);
    const qint64 id = ++m_lastId;
    QJsonObject product { { QStringLiteral("id"), id }, { QStringLiteral("name"), name },
        { QStringLiteral("price"), price } };
    m_products.emplace(id, product);
    return product;
}

std::optional<QJsonObject> ProductService::getProduct(qint64 productId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_products.find(productId);
    if (it == m_products.end())
        return std::nullopt;
    return it->second;
}

QJsonArray ProductService::listProducts() const
{
    std::lock_guard lock(m_mutex);
    QJsonArray products;
    for (const auto &[id, product] : m_products)
        products.append(product);
    return products;
}

} // namespace loopscope
