#include "appsettings.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleOption>

namespace loopscope {

namespace {
// Fusion draws a radio's or check box's rim a shade darker than the window: on a dark window the
// rim of an unselected one vanishes against its fill. This adds a rim in the text colour, faint
// enough to stay a rim, whenever the palette is dark.
class VisibleIndicatorStyle : public QProxyStyle
{
public:
    VisibleIndicatorStyle()
        : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion")))
    { }

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
        const QWidget *widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        const bool indicator
            = element == PE_IndicatorRadioButton || element == PE_IndicatorCheckBox;
        if (!indicator || option->palette.window().color().lightness() >= 128)
            return;
        QColor rim = option->palette.text().color();
        rim.setAlpha(option->state & State_Enabled ? 150 : 70);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(rim, 1));
        painter->setBrush(Qt::NoBrush);
        const QRectF box = QRectF(option->rect).adjusted(1.5, 1.5, -1.5, -1.5);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(box);
        else
            painter->drawRoundedRect(box, 2, 2);
        painter->restore();
    }
};
} // namespace

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
        QApplication::setStyle(new VisibleIndicatorStyle);
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
