#include "aboutbox.h"

#include <QCoreApplication>
#include <QMessageBox>

namespace loopscope {

QString aboutText()
{
    const QString version = QStringLiteral(LOOPSCOPE_VERSION);
    return QCoreApplication::translate("About",
        "<h3>Loopscope %1</h3>"
        "<p>Makes async request handling visible: an embedded HTTP server with the examples of "
        "the FastAPI <i>async programming</i> course, and a live timeline of requests, awaits, "
        "blocking calls and stalls.</p>"
        "<p>Licence: GPL-3.0-or-later.</p>"
        "<p>Where to read on, in README.md:</p><ul>"
        "<li><b>The window</b>: the panels, the timeline, one clock, the keys</li>"
        "<li><b>Recordings</b>: saving a session and replaying it</li>"
        "<li><b>Headless server</b>: the server alone, and its <code>/_scope/</code> API</li>"
        "<li><b>Built-in load generator</b>: <code>loopscope load</code></li></ul>"
        "<p>New here? <b>Scenarios</b> &gt; the first entry plays the course's first lesson.</p>")
        .arg(version.toHtmlEscaped());
}

void showAbout(QWidget *parent)
{
    auto *box = new QMessageBox(parent);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(QCoreApplication::translate("About", "About Loopscope"));
    box->setTextFormat(Qt::RichText);
    box->setText(aboutText());
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace loopscope
