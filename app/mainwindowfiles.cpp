// The File menu's actions: exports of what the window shows, and recordings saved, opened and
// replayed. The window's construction and its views live in mainwindow.cpp.
#include "mainwindow.h"

#include "applogging.h"
#include "exportfile.h"
#include "loadcontroller.h"
#include "recordingformat.h"
#include "recordingwindow.h"
#include "recordingwriter.h"
#include "runstable.h"
#include "serverhost.h"
#include "sessionrecords.h"
#include "timelineview.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"

#include <QFileDialog>
#include <QJsonDocument>
#include <QMessageBox>

#include <limits>
#include <set>

namespace loopscope {

QString MainWindow::askExportPath(
    const QString &caption, const QString &defaultName, const QString &filter)
{
    if (m_exportPathForTest)
        return m_exportPathForTest(caption);
    return QFileDialog::getSaveFileName(this, caption, defaultName, filter);
}

void MainWindow::reportExport(const QString &what, const QString &path, const Result &written)
{
    if (written) {
        showMessage(tr("%1 exported to %2").arg(what, path), 5000);
        return;
    }
    qCWarning(lcApp).noquote() << what << "not exported:" << written.message();
    // The log keeps the reason after the dialog is gone.
    m_host.log().warning(tr("%1 not exported: %2").arg(what, written.message()));
    QMessageBox::warning(this, tr("%1 not exported").arg(what),
        tr("Could not write %1.\n\n%2").arg(path, written.message()));
}

void MainWindow::exportTrace()
{
    const QString path = askExportPath(
        tr("Export trace"), QStringLiteral("loopscope-trace.json"), tr("JSON (*.json)"));
    if (!path.isEmpty())
        reportExport(tr("Trace"), path, writeTrace(path));
}

Result MainWindow::saveRecording(const QString &path)
{
    auto &hub = trace::TraceHub::instance();
    hub.flush();
    recording::RecordingWriter writer;
    if (Result opened = writer.open(path,
            sessionrecords::meta(QStringLiteral("window"), m_host.url(), m_host.modes()),
            trace::sessionOrigin());
        !opened)
        return opened;
    // Page by page: a long window is never copied whole.
    const auto nextPage = hub.retainedPages(0, std::numeric_limits<trace::Nanos>::max(), 65536);
    std::vector<trace::Event> page;
    while (nextPage(page)) {
        if (Result written = writer.writeEvents(page); !written)
            return written;
        page.clear();
    }
    for (const QJsonArray *records : { &m_logRecords, &m_runRecords, &m_sampleRecords }) {
        if (Result written = writer.writeRecords(*records); !written)
            return written;
    }
    for (const RunSummary &run : m_load->runs()) {
        if (Result written = writer.writeClientRequests(run.result.runId, run.result.records);
            !written)
            return written;
    }
    return writer.finish();
}

RecordingWindow *MainWindow::replayLiveSession()
{
    auto &hub = trace::TraceHub::instance();
    hub.flush();
    recording::Recording session;
    session.formatVersion = recording::format::kVersion;
    session.meta = sessionrecords::meta(QStringLiteral("window"), m_host.url(), m_host.modes());
    session.origin = trace::sessionOrigin();
    const auto nextPage = hub.retainedPages(0, std::numeric_limits<trace::Nanos>::max(), 65536);
    std::vector<trace::Event> page;
    std::set<std::uint32_t> labels;
    while (nextPage(page)) {
        for (const trace::Event &e : page) {
            if (e.label)
                labels.insert(e.label);
        }
        session.events.insert(session.events.end(), page.begin(), page.end());
        page.clear();
    }
    // This process's own ids and names: the recording window maps them onto themselves.
    for (const std::uint32_t label : labels)
        session.labels.emplace_back(label, trace::labelText(label));
    session.threads = trace::threads();
    for (const QJsonArray *records : { &m_logRecords, &m_runRecords, &m_sampleRecords }) {
        for (const QJsonValue &record : *records)
            session.records.append(record);
    }
    for (const RunSummary &run : m_load->runs())
        session.clientRequests.push_back({ run.result.runId, run.result.records });
    const QString title
        = tr("live session up to %1")
              .arg(trace::formatSessionTime(
                  session.events.empty() ? trace::nowNs() : session.events.back().time));
    return new RecordingWindow(std::move(session), title, this);
}

void MainWindow::saveRecordingAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save recording"),
        QStringLiteral("session.loopscope"), tr("Loopscope recordings (*.loopscope)"));
    if (path.isEmpty())
        return;
    if (const Result saved = saveRecording(path); !saved)
        QMessageBox::warning(this, tr("Recording not saved"), saved.message());
    else
        showMessage(tr("Recording saved to %1").arg(path), 5000);
}

void MainWindow::openRecordingFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open recording"), {},
        tr("Loopscope recordings and trace exports (*.loopscope *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    OpenedRecording opened = openRecording(path);
    if (!opened) {
        QMessageBox::warning(this, tr("Recording not opened"), opened.message());
        return;
    }
    RecordingWindow *window = opened.window.release();
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
}

void MainWindow::exportRuns()
{
    const QString path
        = askExportPath(tr("Export runs"), QStringLiteral("loopscope-runs.csv"), tr("CSV (*.csv)"));
    if (!path.isEmpty())
        reportExport(tr("Runs table"), path, writeFile(path, m_runs->toCsv().toUtf8()));
}

void MainWindow::exportLastResult()
{
    if (m_load->runs().isEmpty()) {
        showMessage(tr("No load run yet"), 4000);
        return;
    }
    const QString path = askExportPath(
        tr("Export load result"), QStringLiteral("loopscope-load.json"), tr("JSON (*.json)"));
    if (!path.isEmpty())
        reportExport(tr("Load result"), path,
            writeFile(path, QJsonDocument(m_load->runs().constLast().result.toJson()).toJson()));
}

void MainWindow::exportTimelineImage()
{
    const QString path = askExportPath(
        tr("Export timeline"), QStringLiteral("loopscope-timeline.png"), tr("PNG (*.png)"));
    if (!path.isEmpty())
        reportExport(tr("Timeline image"), path, writeImage(path, m_timeline->grab()));
}

void MainWindow::exportWindowImage()
{
    const QString path
        = askExportPath(tr("Export image"), QStringLiteral("loopscope.png"), tr("PNG (*.png)"));
    if (!path.isEmpty())
        reportExport(tr("Window image"), path, writeImage(path, grab()));
}

} // namespace loopscope
