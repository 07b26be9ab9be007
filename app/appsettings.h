#pragma once

#include <QString>

namespace loopscope {

// What the window remembers between runs (QSettings). Command-line flags win over it.
struct AppSettings
{
    int port = 8000;
    QString databaseUrl; // empty: the default SQLite file in the user's data directory
    int retentionSeconds = 300; // trace window kept for the timeline and exports
    QString theme = QStringLiteral("system"); // system, light, dark

    static AppSettings load();
    void save() const;
};

// Applies a palette: "system" keeps the platform's, "light" and "dark" force one.
void applyTheme(const QString &theme);

} // namespace loopscope
