#include "appsettings.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace loopscope {

AppSettings AppSettings::load()
{
    const QSettings settings;
    AppSettings loaded;
    loaded.port = settings.value(QStringLiteral("server/port"), loaded.port).toInt();
    loaded.databaseUrl
        = settings.value(QStringLiteral("server/database"), loaded.databaseUrl).toString();
    loaded.retentionSeconds
        = settings.value(QStringLiteral("trace/retentionSeconds"), loaded.retentionSeconds).toInt();
    loaded.theme = settings.value(QStringLiteral("window/theme"), loaded.theme).toString();
    return loaded;
}

void AppSettings::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("server/port"), port);
    settings.setValue(QStringLiteral("server/database"), databaseUrl);
    settings.setValue(QStringLiteral("trace/retentionSeconds"), retentionSeconds);
    settings.setValue(QStringLiteral("window/theme"), theme);
}

void applyTheme(const QString &theme)
{
    static const QPalette systemPalette = QApplication::palette();
    if (theme == u"dark") {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(37, 37, 40));
        dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
        dark.setColor(QPalette::Base, QColor(28, 28, 30));
        dark.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        dark.setColor(QPalette::Button, QColor(50, 50, 54));
        dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
        dark.setColor(QPalette::Highlight, QColor(47, 126, 216));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::ToolTipBase, QColor(50, 50, 54));
        dark.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
        dark.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
        dark.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
        dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
        QApplication::setPalette(dark);
    } else if (theme == u"light") {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setPalette(systemPalette);
    }
}

} // namespace loopscope
