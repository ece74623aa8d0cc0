#include "runs/RunBrowser.h"

#include "window/ExportActions.h"
#include "shared/NumberFormat.h"

#include "runs/RunComparePanel.h"
#include "runs/RunComparisonChart.h"
#include "runs/RunNotesEditor.h"
#include "shared/StatusStyle.h"

#include "run/RunLayout.h"
#include "run/RunNotes.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QComboBox>
#include <QShortcut>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

namespace studio {

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

    auto* filters = new QHBoxLayout;
    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("runFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter by name, architecture, recipe, state, sweep, note or tags; tag:NAME for one tag (Ctrl+F)"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Shows the runs that contain every word typed, in any column"));
    m_archFilter = new QComboBox(this);
    m_archFilter->setObjectName(QStringLiteral("runArchFilter"));
    m_archFilter->setToolTip(tr("Show the runs of one architecture"));
    m_archFilter->addItem(tr("All architectures"), QString());
    m_archFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filters->addWidget(m_filterEdit, 1);
    filters->addWidget(m_archFilter);
    layout->addLayout(filters);
    auto* find = new QShortcut(QKeySequence::Find, this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });

    m_model = new RunTableModel(this);
    m_filter = new RunFilterModel(this);
    m_filter->setSourceModel(m_model);
    m_list = new QTreeView(this);
    m_list->setObjectName(QStringLiteral("runList"));
    m_list->setModel(m_filter);
    m_list->setRootIsDecorated(false);
    m_list->setItemsExpandable(false);
    m_list->setAlternatingRowColors(true);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setSortingEnabled(true);
    m_list->sortByColumn(RunTableModel::DateColumn, Qt::DescendingOrder);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Columns sized from the first rows, not 1,000 of them: re-showing thousands of rows (a filter
    // cleared) would otherwise measure every cell's text on the GUI thread.
    m_list->header()->setResizeContentsPrecision(100);
    // The recipe summary is the long one: it takes what the other columns leave and is elided
    // (in full in its tooltip), so the table fits the tab without a horizontal scroll bar.
    m_list->header()->setSectionResizeMode(RunTableModel::RecipeColumn, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    // The sweep and the tags beside the run's name, where they are read with it (the model keeps
    // them last, so older column numbers stay).
    m_list->header()->moveSection(m_list->header()->visualIndex(RunTableModel::GroupColumn), 1);
    m_list->header()->moveSection(m_list->header()->visualIndex(RunTableModel::TagsColumn), 2);
    m_list->header()->setSortIndicatorShown(true);

    m_comparison = new RunComparisonChart(this);
    m_notes = new RunNotesEditor(this);
    m_compare = new RunComparePanel(this);
    connect(m_compare, &RunComparePanel::groupByChanged, m_comparison, &RunComparisonChart::setGroupBy);
    auto* compared = new QSplitter(Qt::Horizontal, this);
    compared->addWidget(m_comparison);
    compared->addWidget(m_compare);
    compared->setStretchFactor(0, 1);
    compared->setStretchFactor(1, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_list);
    split->addWidget(m_notes);
    split->addWidget(compared);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 0);
    split->setStretchFactor(2, 3);
    split->setCollapsible(1, false);
    connect(m_notes, &RunNotesEditor::saveRequested, this,
            [this](const QString& dir, const QString& note, const QStringList& tags) { saveRunNotes(dir, note, tags); });
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &RunBrowser::refresh);
    connect(m_open, &QPushButton::clicked, this, &RunBrowser::openSelected);
    connect(m_resume, &QPushButton::clicked, this, &RunBrowser::resumeSelected);
    connect(m_rename, &QPushButton::clicked, this, &RunBrowser::renameSelected);
    connect(m_delete, &QPushButton::clicked, this, &RunBrowser::deleteSelected);
    connect(m_exportCsv, &QPushButton::clicked, this, &RunBrowser::exportCsvSelected);
    connect(m_ensemble, &QPushButton::clicked, this, [this] { scoreEnsemble(selectedRunDirs()); });
    connect(&m_ensembleWatcher, &QFutureWatcher<CallOutcome<mnist::EnsembleResult>>::finished, this, &RunBrowser::onEnsembleFinished);
    connect(&m_listWatcher, &QFutureWatcher<CallOutcome<std::vector<mnist::RunRecord>>>::finished, this,
            &RunBrowser::onListed);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunBrowser::onSelectionChanged);
    // Enter opens the run as a double click does.
    connect(m_list, &QTreeView::activated, this, [this](const QModelIndex& index) {
        const QString dir = index.data(RunTableModel::DirRole).toString();
        const mnist::RunRecord* r = run(dir);
        if (r && !r->damaged)
            Q_EMIT openRequested(dir);
    });
    connect(m_filterEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setFilterText(text);
        updateCountLabel();
        onSelectionChanged();
    });
    connect(m_archFilter, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_filter->setArchitecture(m_archFilter->currentData().toString());
        updateCountLabel();
        onSelectionChanged();
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, &RunBrowser::showContextMenu);
    onSelectionChanged();
}

RunBrowser::~RunBrowser()
{
    // The scoring owns copies of what it reads; waiting keeps the thread pool from outliving us.
    m_ensembleWatcher.waitForFinished();
    m_listWatcher.waitForFinished();
}

void RunBrowser::setRunsFolder(const QString& folder)
{
    if (folder == m_folder)
        return;
    m_folder = folder;
    updateCountLabel();
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
    if (m_listing) {
        // The folder may have changed after this listing began: list it again when it ends.
        m_listAgain = true;
        return;
    }
    m_listAgain = false;
    m_listing = true;
    if (m_keepSelection.isEmpty())
        m_keepSelection = selectedRunDirs();
    m_listedFolder = m_folder;
    updateCountLabel();
    const std::string folder = m_folder.toStdString();
    m_listWatcher.setFuture(runInBackground([folder] {
        return folder.empty() ? std::vector<mnist::RunRecord>{} : mnist::listRuns(folder);
    }));
}

void RunBrowser::onListed()
{
    const CallOutcome<std::vector<mnist::RunRecord>> out = m_listWatcher.result();
    m_listing = false;
    if (m_listAgain || m_listedFolder != m_folder) {
        refresh();
        return;
    }
    if (!out.ok) // listRuns reports damaged runs itself; this is an unreadable runs folder.
        showMessage(tr("Cannot list %1: %2").arg(m_folder, out.error), true);
    {
        const QSignalBlocker block(m_list->selectionModel());
        m_model->setRuns(out.ok ? out.value : std::vector<mnist::RunRecord>{});
    }
    updateFilterChoices();
    const QStringList keep = m_keepSelection;
    m_keepSelection.clear();
    selectRuns(keep);
    updateCountLabel();
    Q_EMIT runsChanged();
}

void RunBrowser::updateFilterChoices()
{
    const QString current = m_archFilter->currentData().toString();
    const QSignalBlocker block(m_archFilter);
    while (m_archFilter->count() > 1)
        m_archFilter->removeItem(1);
    for (const QString& arch : m_model->architectures())
        m_archFilter->addItem(arch, arch);
    // A filter on an architecture that no run has any more would hide everything for no reason.
    const int index = m_archFilter->findData(current);
    m_archFilter->setCurrentIndex(index < 0 ? 0 : index);
    m_filter->setArchitecture(m_archFilter->currentData().toString());
}

void RunBrowser::updateCountLabel()
{
    QString text = tr("Runs in %1").arg(QDir::toNativeSeparators(m_folder));
    const int all = m_model->rowCount();
    const int shown = m_filter->rowCount();
    if (isListing())
        text += tr(" · listing…");
    else if (shown != all)
        text += tr(" · showing %1 of %2").arg(shown).arg(all);
    m_folderLabel->setText(text);
}

QStringList RunBrowser::shownRunNames() const
{
    QStringList names;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        names << m_filter->index(row, RunTableModel::NameColumn).data().toString();
    return names;
}

QStringList RunBrowser::selectedRunDirs() const
{
    QStringList dirs;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        if (m_list->selectionModel()->isRowSelected(row, {}))
            dirs << m_filter->index(row, 0).data(RunTableModel::DirRole).toString();
    return dirs;
}

void RunBrowser::selectRuns(const QStringList& dirs)
{
    if (isListing()) {
        // Applied when the listing in flight is shown (e.g. a renamed run).
        m_keepSelection = dirs;
        return;
    }
    {
        const QSignalBlocker block(m_list->selectionModel());
        QItemSelection selection;
        QModelIndex current;
        for (const QString& d : dirs) {
            const int sourceRow = m_model->rowOf(d);
            if (sourceRow < 0)
                continue;
            const QModelIndex index = m_filter->mapFromSource(m_model->index(sourceRow, 0));
            if (!index.isValid())
                continue; // filtered out
            selection.select(index, index.siblingAtColumn(RunTableModel::ColumnCount - 1));
            current = index;
        }
        m_list->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        if (current.isValid())
            m_list->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
    }
    onSelectionChanged();
}

const mnist::RunRecord* RunBrowser::run(const QString& dir) const
{
    const int row = m_model->rowOf(dir);
    return row < 0 ? nullptr : &m_model->runs()[static_cast<size_t>(row)];
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
            anyActive = anyActive || sameRunDir(d, m_activeRun);
        }
    m_comparison->setRuns(chosen);
    m_compare->setRuns(chosen);
    const bool one = chosen.size() == 1;
    const mnist::RunRecord* single = one ? &chosen.front() : nullptr;
    m_open->setEnabled(single && !single->damaged);
    m_resume->setEnabled(single && !single->damaged && single->resumable && m_activeRun.isEmpty());
    m_resume->setToolTip(single && single->resumable ? tr("Continue the run from its last checkpoint")
                                                     : tr("Only a run with a checkpoint and epochs left can be resumed"));
    // A sweep knows its trials by their folder names: renamed, one would be trained again.
    m_rename->setEnabled(one && !anyActive && single->group.empty());
    m_delete->setEnabled(!chosen.empty() && !anyActive);
    m_exportCsv->setEnabled(!chosen.empty() && !anyDamaged);
    m_exportModel->setEnabled(single && !single->damaged);
    // A filter or a refresh keeps the run selected: what is being typed about it stays. Another run
    // selected saves it first, as leaving a field would.
    if (!(single && sameRunDir(QString::fromStdString(single->dir), m_notes->runDir()) && m_notes->isModified())) {
        if (m_notes->isModified() && run(m_notes->runDir()))
            saveRunNotes(m_notes->runDir(), m_notes->note(), m_notes->tags());
        QStringList tags;
        if (single)
            for (const std::string& t : single->tags)
                tags << QString::fromStdString(t);
        m_notes->setRun(single ? QString::fromStdString(single->dir) : QString(), single ? QString::fromStdString(single->name) : QString(),
                        single ? QString::fromStdString(single->note) : QString(), tags);
    }
    const bool allFinished = std::all_of(chosen.begin(), chosen.end(), [](const mnist::RunRecord& r) { return r.finished; });
    m_ensemble->setEnabled(chosen.size() >= 2 && !anyDamaged && allFinished && !ensembleBusy());
    m_ensemble->setToolTip(chosen.size() >= 2 && (anyDamaged || !allFinished)
                               ? tr("Every selected run must have finished (its %1 written)").arg(QLatin1String(mnist::RunLayout::kModelWeights))
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
        alone << tr("%1 %2%").arg(QFileInfo(QString::fromStdString(m.runDir)).fileName(), formatReal(m.testAccuracy, 2));
    showMessage(tr("Ensemble of %1 runs (averaged softmax): %2% on %3 test images. Alone: %4.")
                    .arg(out.value.members.size())
                    .arg(formatReal(out.value.testAccuracy, 2))
                    .arg(formatCount(out.value.testSize))
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
    if (sameRunDir(dir, m_activeRun))
        return failWith(tr("%1 is being trained: rename it when the run ends.").arg(QFileInfo(dir).fileName()), error);
    const QFileInfo from(dir);
    if (!from.isDir())
        return failWith(tr("%1 no longer exists.").arg(dir), error);
    if (const mnist::RunRecord* r = run(dir); r && !r->group.empty())
        return failWith(tr("%1 is a trial of the sweep %2, which finds it by its name: it cannot be renamed.")
                            .arg(from.fileName(), QString::fromStdString(r->group)),
                        error);
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
        if (sameRunDir(d, m_activeRun))
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

bool RunBrowser::saveRunNotes(const QString& dir, const QString& note, const QStringList& tags, QString* error)
{
    const int row = m_model->rowOf(dir);
    const QString name = QFileInfo(dir).fileName();
    mnist::RunNotes notes;
    notes.note = note.toStdString();
    for (const QString& t : tags)
        notes.tags.push_back(t.toStdString());
    try {
        notes.tags = mnist::cleanTags(notes.tags);
        mnist::writeRunNotes(dir.toStdString(), notes);
    } catch (const std::exception& e) {
        return failWith(tr("The notes of %1 could not be saved: %2").arg(name, QString::fromStdString(e.what())), error);
    }
    if (row >= 0)
        m_model->setNotes(row, notes.note, notes.tags);
    QStringList saved;
    for (const std::string& t : notes.tags)
        saved << QString::fromStdString(t);
    if (sameRunDir(dir, m_notes->runDir()))
        m_notes->setRun(m_notes->runDir(), name, note, saved);
    showMessage(tr("Saved the note and tags of %1.").arg(name), false);
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
