#include "RunBrowser.h"

#include "ExportActions.h"

#include "RunComparisonChart.h"
#include "StatusStyle.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

namespace studio {
namespace {

constexpr int kDirRole = Qt::UserRole;

// Paths from the core ("runs/x") and from Qt ("runs//x/") name the same folder.
bool sameDir(const QString& a, const QString& b)
{
    return !a.isEmpty() && !b.isEmpty() && QDir::cleanPath(a) == QDir::cleanPath(b);
}

QString percent(double v)
{
    return QLocale(QLocale::English).toString(v, 'f', 2);
}

QString duration(double seconds)
{
    const auto s = static_cast<qint64>(std::max(0.0, seconds) + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Run folders are named yyyymmdd-hhmmss-ARCH; a renamed one falls back to the folder's time.
QDateTime runDate(const mnist::RunRecord& run)
{
    const QString name = QString::fromStdString(run.name);
    const QDateTime fromName = QDateTime::fromString(name.left(15), QStringLiteral("yyyyMMdd-HHmmss"));
    if (fromName.isValid())
        return fromName;
    return QFileInfo(QString::fromStdString(run.dir)).lastModified();
}

QString recipeSummary(const mnist::TrainConfig& c)
{
    const auto& a = c.augment;
    QStringList augment;
    if (a.crop)
        augment << QObject::tr("crop");
    if (a.rotate)
        augment << QObject::tr("rotate");
    if (a.erase)
        augment << QObject::tr("erase");
    if (a.normalize)
        augment << QObject::tr("normalize");
    QString text = QObject::tr("%1 lr %2 · batch %3 · %4 · aug %5")
                       .arg(QString::fromStdString(c.optimizer))
                       .arg(c.lr, 0, 'g', 3)
                       .arg(c.batchSize)
                       .arg(c.scheduler.type == "none" ? QObject::tr("constant LR") : QString::fromStdString(c.scheduler.type))
                       .arg(augment.isEmpty() ? QObject::tr("off") : augment.join(QLatin1Char('+')));
    if (c.labelSmoothing > 0)
        text += QObject::tr(" · smoothing %1").arg(c.labelSmoothing, 0, 'g', 3);
    if (c.emaDecay > 0)
        text += QObject::tr(" · EMA %1").arg(c.emaDecay, 0, 'g', 4);
    return text;
}

} // namespace

RunBrowser::RunBrowser(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runBrowser"));
    m_confirmDelete = [this](const QStringList& names) {
        return QMessageBox::question(this, tr("Delete runs"),
                                     tr("Delete %n run folder(s) with everything in them?\n\n%1", nullptr, names.size())
                                         .arg(names.join(QLatin1Char('\n'))),
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes;
    };

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* buttons = new QHBoxLayout;
    auto button = [&](const QString& text, const QString& name, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    m_refresh = button(tr("Refresh"), QStringLiteral("refreshRuns"), tr("List the runs folder again"));
    m_open = button(tr("Open"), QStringLiteral("openRun"), tr("Show the run's curves and LR in the training dashboard"));
    m_resume = button(tr("Resume"), QStringLiteral("resumeRun"), tr("Continue the run from its last checkpoint"));
    m_rename = button(tr("Rename…"), QStringLiteral("renameRun"), tr("Rename the run's folder"));
    m_delete = button(tr("Delete…"), QStringLiteral("deleteRuns"), tr("Delete the selected run folders"));
    m_exportCsv = button(tr("Export CSV…"), QStringLiteral("exportRunsCsv"), tr("Every epoch of the selected runs in one CSV file"));
    m_ensemble = button(tr("Ensemble"), QStringLiteral("ensembleRuns"),
                        tr("Test accuracy of the selected finished runs' averaged softmax (each with its own "
                           "architecture and Normalize), and of each run alone"));
    m_exportModel = new QToolButton(this);
    m_exportModel->setObjectName(QStringLiteral("exportModel"));
    m_exportModel->setText(tr("Export model"));
    m_exportModel->setToolTip(tr("The selected run's final weights (best by valid loss for a run that never finished)"));
    m_exportModel->setPopupMode(QToolButton::InstantPopup);
    auto* modelMenu = new QMenu(m_exportModel);
    addModelExportActions(modelMenu, [this](ModelFormat f) { exportModelSelected(f); });
    m_exportModel->setMenu(modelMenu);
    buttons->addWidget(m_exportModel);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_folderLabel = new QLabel(this);
    m_folderLabel->setObjectName(QStringLiteral("runsFolderLabel"));
    m_folderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_folderLabel);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("runBrowserMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("runList"));
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels({tr("Run"), tr("Date"), tr("Architecture"), tr("Recipe"), tr("Best test %"),
                             tr("Test % at best valid"), tr("Final test %"), tr("Duration"), tr("Epochs")});
    m_list->headerItem()->setToolTip(BestColumn, tr("Best test accuracy over the epochs (the notebook's metric; picks the epoch on the test set)"));
    m_list->headerItem()->setToolTip(HonestColumn, tr("Test accuracy at the epoch with the lowest valid loss (chosen without looking at the test set)"));
    m_list->headerItem()->setToolTip(EpochsColumn, tr("Epochs done / planned"));
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);

    m_comparison = new RunComparisonChart(this);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_list);
    split->addWidget(m_comparison);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &RunBrowser::refresh);
    connect(m_open, &QPushButton::clicked, this, &RunBrowser::openSelected);
    connect(m_resume, &QPushButton::clicked, this, &RunBrowser::resumeSelected);
    connect(m_rename, &QPushButton::clicked, this, &RunBrowser::renameSelected);
    connect(m_delete, &QPushButton::clicked, this, &RunBrowser::deleteSelected);
    connect(m_exportCsv, &QPushButton::clicked, this, &RunBrowser::exportCsvSelected);
    connect(m_ensemble, &QPushButton::clicked, this, [this] { scoreEnsemble(selectedRunDirs()); });
    connect(&m_ensembleWatcher, &QFutureWatcher<CallOutcome<mnist::EnsembleResult>>::finished, this, &RunBrowser::onEnsembleFinished);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &RunBrowser::onSelectionChanged);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        const QString dir = item->data(NameColumn, kDirRole).toString();
        const mnist::RunRecord* r = run(dir);
        if (r && !r->damaged)
            Q_EMIT openRequested(dir);
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, &RunBrowser::showContextMenu);
    onSelectionChanged();
}

RunBrowser::~RunBrowser()
{
    // The scoring owns copies of what it reads; waiting keeps the thread pool from outliving us.
    m_ensembleWatcher.waitForFinished();
}

void RunBrowser::setRunsFolder(const QString& folder)
{
    if (folder == m_folder)
        return;
    m_folder = folder;
    m_folderLabel->setText(tr("Runs in %1").arg(QDir::toNativeSeparators(folder)));
    // Listed when the browser is shown (or on refresh()): a big folder need not slow the start.
    refreshWhenShown();
}

void RunBrowser::refreshWhenShown()
{
    m_stale = true;
    if (isVisible())
        refresh();
}

void RunBrowser::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void RunBrowser::refresh()
{
    m_stale = false;
    const QStringList keep = selectedRunDirs();
    try {
        m_runs = m_folder.isEmpty() ? std::vector<mnist::RunRecord>{} : mnist::listRuns(m_folder.toStdString());
    } catch (const std::exception& e) {
        // listRuns reports damaged runs itself; this is an unreadable runs folder.
        m_runs.clear();
        showMessage(tr("Cannot list %1: %2").arg(m_folder, QString::fromStdString(e.what())), true);
    }
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (const auto& r : m_runs) {
            auto* item = new QTreeWidgetItem(m_list);
            fillItem(item, r);
        }
    }
    selectRuns(keep);
    onSelectionChanged();
    Q_EMIT runsChanged();
}

void RunBrowser::fillItem(QTreeWidgetItem* item, const mnist::RunRecord& r) const
{
    const QString dir = QString::fromStdString(r.dir);
    item->setData(NameColumn, kDirRole, dir);
    item->setText(NameColumn, QString::fromStdString(r.name));
    item->setText(DateColumn, QLocale(QLocale::English).toString(runDate(r), QStringLiteral("yyyy-MM-dd HH:mm")));
    item->setToolTip(NameColumn, QDir::toNativeSeparators(dir));
    if (r.damaged) {
        // The config may be the unreadable part: its defaults would be a guess.
        item->setText(ArchColumn, QStringLiteral("?"));
        item->setText(RecipeColumn, tr("damaged: %1").arg(QString::fromStdString(r.problem)));
        for (int c = 0; c < ColumnCount; ++c) {
            item->setForeground(c, problemColor());
            item->setToolTip(c, tr("Damaged run: %1").arg(QString::fromStdString(r.problem)));
        }
        return;
    }
    item->setText(ArchColumn, QString::fromStdString(r.config.arch));
    item->setText(RecipeColumn, recipeSummary(r.config));
    item->setToolTip(RecipeColumn, QString::fromStdString(mnist::toJsonText(r.config)));
    const bool any = !r.epochs.empty();
    item->setText(BestColumn, any ? tr("%1 (ep %2)").arg(percent(r.bestTestAccuracy)).arg(r.bestEpoch) : QStringLiteral("–"));
    item->setText(HonestColumn, any ? tr("%1 (ep %2)").arg(percent(r.testAccuracyAtBestValid)).arg(r.bestValidEpoch) : QStringLiteral("–"));
    item->setText(FinalColumn, any ? percent(r.finalTestAccuracy) : QStringLiteral("–"));
    item->setText(DurationColumn, duration(r.seconds));
    QString epochs = QStringLiteral("%1/%2").arg(r.epochs.size()).arg(r.config.epochs);
    if (r.resumable)
        epochs += tr(" (resumable)");
    item->setText(EpochsColumn, epochs);
    for (int c : {BestColumn, HonestColumn, FinalColumn, DurationColumn, EpochsColumn})
        item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
}

QStringList RunBrowser::selectedRunDirs() const
{
    QStringList dirs;
    // In list order (newest first), not in the order of clicks.
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (m_list->topLevelItem(i)->isSelected())
            dirs << m_list->topLevelItem(i)->data(NameColumn, kDirRole).toString();
    return dirs;
}

void RunBrowser::selectRuns(const QStringList& dirs)
{
    {
        const QSignalBlocker block(m_list);
        m_list->clearSelection();
        for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = m_list->topLevelItem(i);
            const QString dir = item->data(NameColumn, kDirRole).toString();
            if (std::any_of(dirs.begin(), dirs.end(), [&](const QString& d) { return sameDir(d, dir); })) {
                item->setSelected(true);
                m_list->setCurrentItem(item, 0, QItemSelectionModel::NoUpdate);
            }
        }
    }
    onSelectionChanged();
}

const mnist::RunRecord* RunBrowser::run(const QString& dir) const
{
    for (const auto& r : m_runs)
        if (sameDir(QString::fromStdString(r.dir), dir))
            return &r;
    return nullptr;
}

void RunBrowser::setActiveRun(const QString& dir)
{
    m_activeRun = dir;
    onSelectionChanged();
}

void RunBrowser::onSelectionChanged()
{
    const QStringList dirs = selectedRunDirs();
    std::vector<mnist::RunRecord> chosen;
    bool anyDamaged = false, anyActive = false;
    for (const QString& d : dirs)
        if (const mnist::RunRecord* r = run(d)) {
            chosen.push_back(*r);
            anyDamaged = anyDamaged || r->damaged;
            anyActive = anyActive || sameDir(d, m_activeRun);
        }
    m_comparison->setRuns(chosen);
    const bool one = chosen.size() == 1;
    const mnist::RunRecord* single = one ? &chosen.front() : nullptr;
    m_open->setEnabled(single && !single->damaged);
    m_resume->setEnabled(single && !single->damaged && single->resumable && m_activeRun.isEmpty());
    m_resume->setToolTip(single && single->resumable ? tr("Continue the run from its last checkpoint")
                                                     : tr("Only a run with a checkpoint and epochs left can be resumed"));
    m_rename->setEnabled(one && !anyActive);
    m_delete->setEnabled(!chosen.empty() && !anyActive);
    m_exportCsv->setEnabled(!chosen.empty() && !anyDamaged);
    m_exportModel->setEnabled(single && !single->damaged);
    const bool allFinished = std::all_of(chosen.begin(), chosen.end(), [](const mnist::RunRecord& r) { return r.finished; });
    m_ensemble->setEnabled(chosen.size() >= 2 && !anyDamaged && allFinished && !ensembleBusy());
    m_ensemble->setToolTip(chosen.size() >= 2 && (anyDamaged || !allFinished)
                               ? tr("Every selected run must have finished (its model.safetensors written)")
                               : tr("Test accuracy of the selected finished runs' averaged softmax (each with its own "
                                    "architecture and Normalize), and of each run alone"));
}

bool RunBrowser::scoreEnsemble(const QStringList& dirs, QString* error)
{
    if (ensembleBusy())
        return failWith(tr("An ensemble is being scored already."), error);
    std::vector<std::string> runDirs;
    for (const QString& d : dirs) {
        const mnist::RunRecord* r = run(d);
        if (!r || r->damaged || !r->finished)
            return failWith(tr("%1 is not a finished run: an ensemble needs each run's final model.").arg(QFileInfo(d).fileName()), error);
        runDirs.push_back(r->dir);
    }
    if (runDirs.size() < 2)
        return failWith(tr("Select at least two finished runs for an ensemble."), error);
    showMessage(tr("Scoring the ensemble of %n run(s) on the test set…", nullptr, static_cast<int>(runDirs.size())), false);
    m_ensemble->setEnabled(false);
    m_ensembleWatcher.setFuture(runInBackground([runDirs] { return mnist::evaluateEnsemble(runDirs); }));
    return true;
}

void RunBrowser::onEnsembleFinished()
{
    const CallOutcome<mnist::EnsembleResult> out = m_ensembleWatcher.result();
    onSelectionChanged();
    if (!out.ok) {
        showMessage(tr("The ensemble could not be scored: %1").arg(out.error), true);
        Q_EMIT ensembleFinished(false);
        return;
    }
    m_lastEnsemble = out.value;
    QStringList alone;
    for (const mnist::EnsembleMember& m : out.value.members)
        alone << tr("%1 %2%").arg(QFileInfo(QString::fromStdString(m.runDir)).fileName(), percent(m.testAccuracy));
    showMessage(tr("Ensemble of %1 runs (averaged softmax): %2% on %3 test images. Alone: %4.")
                    .arg(out.value.members.size())
                    .arg(percent(out.value.testAccuracy))
                    .arg(QLocale(QLocale::English).toString(static_cast<qlonglong>(out.value.testSize)))
                    .arg(alone.join(QStringLiteral(", "))),
                false);
    Q_EMIT ensembleFinished(true);
}

QString RunBrowser::messageText() const
{
    return m_message->isVisibleTo(const_cast<RunBrowser*>(this)) ? m_message->text() : QString();
}

void RunBrowser::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    markProblem(m_message, error);
    m_message->setVisible(!text.isEmpty());
}

bool RunBrowser::failWith(const QString& text, QString* error)
{
    showMessage(text, true);
    if (error)
        *error = text;
    return false;
}

bool RunBrowser::renameRun(const QString& dir, const QString& newName, QString* error)
{
    const QString name = newName.trimmed();
    if (name.isEmpty() || name == QLatin1String(".") || name == QLatin1String("..") || name.contains(QLatin1Char('/')) ||
        name.contains(QLatin1Char('\\')))
        return failWith(tr("\"%1\" cannot be a run name: use a plain folder name without '/'.").arg(newName), error);
    if (sameDir(dir, m_activeRun))
        return failWith(tr("%1 is being trained: rename it when the run ends.").arg(QFileInfo(dir).fileName()), error);
    const QFileInfo from(dir);
    if (!from.isDir())
        return failWith(tr("%1 no longer exists.").arg(dir), error);
    const QString target = from.dir().filePath(name);
    if (QFileInfo::exists(target))
        return failWith(tr("A run or file named \"%1\" already exists.").arg(name), error);
    if (!QDir().rename(dir, target))
        return failWith(tr("Cannot rename %1 to %2.").arg(dir, name), error);
    showMessage(tr("Renamed %1 to %2.").arg(from.fileName(), name), false);
    refresh();
    selectRuns({target});
    return true;
}

bool RunBrowser::deleteRuns(const QStringList& dirs, QString* error)
{
    if (dirs.isEmpty())
        return false;
    QStringList names;
    for (const QString& d : dirs) {
        if (sameDir(d, m_activeRun))
            return failWith(tr("%1 is being trained: delete it when the run ends.").arg(QFileInfo(d).fileName()), error);
        names << QFileInfo(d).fileName();
    }
    if (!m_confirmDelete || !m_confirmDelete(names)) {
        if (error)
            *error = tr("Not deleted.");
        return false;
    }
    QStringList failed;
    for (const QString& d : dirs)
        if (!QDir(d).removeRecursively())
            failed << QFileInfo(d).fileName();
    refresh();
    if (!failed.isEmpty())
        return failWith(tr("Could not delete everything in: %1").arg(failed.join(QStringLiteral(", "))), error);
    showMessage(tr("Deleted %1.").arg(names.join(QStringLiteral(", "))), false);
    return true;
}

bool RunBrowser::exportMetricsCsv(const QStringList& dirs, const QString& path, QString* error)
{
    std::vector<mnist::RunRecord> chosen;
    for (const QString& d : dirs) {
        const mnist::RunRecord* r = run(d);
        // Read again: a run in progress has grown since the list was made.
        const mnist::RunRecord fresh = mnist::readRun((r ? r->dir : d.toStdString()));
        if (fresh.damaged)
            return failWith(tr("%1 is damaged (%2): not exported.")
                                .arg(QString::fromStdString(fresh.name), QString::fromStdString(fresh.problem)),
                            error);
        chosen.push_back(fresh);
    }
    if (chosen.empty())
        return failWith(tr("Select the runs to export first."), error);
    try {
        mnist::writeRunsCsv(path.toStdString(), chosen);
    } catch (const std::exception& e) {
        return failWith(tr("The CSV could not be written: %1").arg(QString::fromStdString(e.what())), error);
    }
    showMessage(tr("Wrote the metrics of %n run(s) to %1.", nullptr, static_cast<int>(chosen.size())).arg(path), false);
    return true;
}

bool RunBrowser::exportModel(const QString& dir, const QString& path, ModelFormat format, QString* error)
{
    try {
        exportRunModel(dir.toStdString(), path.toStdString(), format);
    } catch (const std::exception& e) {
        return failWith(tr("The model could not be exported: %1").arg(QString::fromStdString(e.what())), error);
    }
    showMessage(tr("Wrote %1.").arg(path), false);
    return true;
}

void RunBrowser::showContextMenu(const QPoint& at)
{
    QMenu menu(this);
    for (QAbstractButton* b : {static_cast<QAbstractButton*>(m_open), static_cast<QAbstractButton*>(m_resume),
                               static_cast<QAbstractButton*>(m_rename), static_cast<QAbstractButton*>(m_delete),
                               static_cast<QAbstractButton*>(m_exportCsv)}) {
        QAction* a = menu.addAction(b->text(), b, &QAbstractButton::click);
        a->setEnabled(b->isEnabled());
    }
    QMenu* model = menu.addMenu(tr("Export model"));
    model->setEnabled(m_exportModel->isEnabled());
    model->addActions(m_exportModel->menu()->actions());
    menu.addSeparator();
    menu.addAction(m_refresh->text(), this, &RunBrowser::refresh);
    menu.exec(m_list->viewport()->mapToGlobal(at));
}

void RunBrowser::openSelected()
{
    const QStringList dirs = selectedRunDirs();
    if (dirs.size() == 1)
        Q_EMIT openRequested(dirs.front());
}

void RunBrowser::resumeSelected()
{
    const QStringList dirs = selectedRunDirs();
    if (dirs.size() == 1)
        Q_EMIT resumeRequested(dirs.front());
}

void RunBrowser::renameSelected()
{
    const QStringList dirs = selectedRunDirs();
    if (dirs.size() != 1)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New folder name:"), QLineEdit::Normal,
                                               QFileInfo(dirs.front()).fileName(), &ok);
    if (ok && name != QFileInfo(dirs.front()).fileName())
        renameRun(dirs.front(), name);
}

void RunBrowser::deleteSelected()
{
    deleteRuns(selectedRunDirs());
}

void RunBrowser::exportCsvSelected()
{
    const QStringList dirs = selectedRunDirs();
    if (dirs.isEmpty())
        return;
    const QString suggested = dirs.size() == 1 ? QFileInfo(dirs.front()).fileName() + QStringLiteral(".csv") : QStringLiteral("runs.csv");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), suggested, tr("CSV (*.csv)"));
    if (!path.isEmpty())
        exportMetricsCsv(dirs, path);
}

void RunBrowser::exportModelSelected(ModelFormat format)
{
    const QStringList dirs = selectedRunDirs();
    if (dirs.size() != 1)
        return;
    const QString path = askModelExportPath(this, dirs.front(), format);
    if (!path.isEmpty())
        exportModel(dirs.front(), path, format);
}

} // namespace studio
