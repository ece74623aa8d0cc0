#include "runs/RunTableModel.h"

#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include <QBrush>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <limits>

namespace studio {
namespace {

QString duration(double seconds)
{
    return formatDuration(static_cast<qint64>(std::max(0.0, seconds) + 0.5));
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
    if (a.affine)
        augment << QObject::tr("affine");
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

QString stateText(const mnist::RunRecord& r)
{
    switch (r.state) {
    case mnist::RunState::Finished: return QObject::tr("finished");
    case mnist::RunState::Stopped: return QObject::tr("stopped");
    case mnist::RunState::Running: return QObject::tr("running or killed");
    case mnist::RunState::Damaged: return QObject::tr("damaged");
    }
    return {};
}

} // namespace

bool sameRunDir(const QString& a, const QString& b)
{
    return !a.isEmpty() && !b.isEmpty() && QDir::cleanPath(a) == QDir::cleanPath(b);
}

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int RunTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

RunTableModel::RowCache RunTableModel::makeRowCache(const mnist::RunRecord& r) const
{
    RowCache c;
    c.recipe = r.damaged ? tr("damaged: %1").arg(QString::fromStdString(r.problem)) : recipeSummary(r.config);
    c.date = runDate(r);
    for (const std::string& t : r.tags)
        c.tags << QString::fromStdString(t);
    c.filterText = QStringList{QString::fromStdString(r.name), r.damaged ? QStringLiteral("?") : QString::fromStdString(r.config.arch),
                               c.recipe, stateText(r), QString::fromStdString(r.group), QString::fromStdString(r.note),
                               c.tags.join(QLatin1Char(' '))}
                       .join(QLatin1Char(' '))
                       .toLower();
    return c;
}

void RunTableModel::setRuns(std::vector<mnist::RunRecord> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_rows.clear();
    m_rows.reserve(m_runs.size());
    for (const auto& r : m_runs)
        m_rows.push_back(makeRowCache(r));
    endResetModel();
}

void RunTableModel::setNotes(int row, const std::string& note, const std::vector<std::string>& tags)
{
    if (row < 0 || row >= static_cast<int>(m_runs.size()))
        return;
    mnist::RunRecord& r = m_runs[static_cast<size_t>(row)];
    r.note = note;
    r.tags = tags;
    r.notesProblem.clear();
    m_rows[static_cast<size_t>(row)] = makeRowCache(r);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int RunTableModel::rowOf(const QString& dir) const
{
    for (size_t i = 0; i < m_runs.size(); ++i)
        if (sameRunDir(QString::fromStdString(m_runs[i].dir), dir))
            return static_cast<int>(i);
    return -1;
}

QStringList RunTableModel::architectures() const
{
    QStringList archs;
    for (const auto& r : m_runs)
        if (!r.damaged)
            archs << QString::fromStdString(r.config.arch);
    archs.removeDuplicates();
    archs.sort();
    return archs;
}

QVariant RunTableModel::display(const mnist::RunRecord& r, int column) const
{
    const RowCache& cached = m_rows[static_cast<size_t>(&r - m_runs.data())];
    const bool any = !r.damaged && !r.epochs.empty();
    switch (column) {
    case NameColumn: return QString::fromStdString(r.name);
    case DateColumn: return formatDateTime(cached.date, QStringLiteral("yyyy-MM-dd HH:mm"));
    // The config may be the unreadable part of a damaged run: its defaults would be a guess.
    case ArchColumn: return r.damaged ? QStringLiteral("?") : QString::fromStdString(r.config.arch);
    case RecipeColumn: return cached.recipe;
    case BestColumn: return any ? tr("%1 (ep %2)").arg(formatReal(r.stats.bestTestAccuracy, 2)).arg(r.stats.bestEpoch) : QStringLiteral("–");
    case HonestColumn:
        return any ? tr("%1 (ep %2)").arg(formatReal(r.stats.testAccuracyAtBestValid, 2)).arg(r.stats.bestValidEpoch) : QStringLiteral("–");
    case FinalColumn: return any ? formatReal(r.stats.finalTestAccuracy, 2) : QStringLiteral("–");
    case DurationColumn: return r.damaged ? QStringLiteral("–") : duration(r.stats.seconds);
    case EpochsColumn: {
        if (r.damaged)
            return QStringLiteral("–");
        QString epochs = QStringLiteral("%1/%2").arg(r.epochs.size()).arg(r.config.epochs);
        if (r.resumable)
            epochs += tr(" (resumable)");
        return epochs;
    }
    case StateColumn: return stateText(r);
    case GroupColumn: return QString::fromStdString(r.group);
    case TagsColumn: return cached.tags.join(QLatin1Char(' '));
    default: return {};
    }
}

QVariant RunTableModel::sortValue(const mnist::RunRecord& r, int column) const
{
    // A run without a figure sorts below every run with one, whichever the order.
    const double none = -std::numeric_limits<double>::infinity();
    const bool any = !r.damaged && !r.epochs.empty();
    switch (column) {
    case DateColumn: return m_rows[static_cast<size_t>(&r - m_runs.data())].date;
    case BestColumn: return any ? r.stats.bestTestAccuracy : none;
    case HonestColumn: return any ? r.stats.testAccuracyAtBestValid : none;
    case FinalColumn: return any ? r.stats.finalTestAccuracy : none;
    case DurationColumn: return r.damaged ? none : r.stats.seconds;
    case EpochsColumn: return r.damaged ? none : static_cast<double>(r.epochs.size());
    case StateColumn: return static_cast<int>(r.state);
    default: return display(r, column);
    }
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_runs.size()))
        return {};
    const mnist::RunRecord& r = m_runs[static_cast<size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(r, column);
    case SortRole: return sortValue(r, column);
    case DirRole: return QString::fromStdString(r.dir);
    case ArchRole: return r.damaged ? QString() : QString::fromStdString(r.config.arch);
    case FilterRole: return m_rows[static_cast<size_t>(index.row())].filterText;
    case TagsRole: return m_rows[static_cast<size_t>(index.row())].tags;
    case Qt::ForegroundRole:
        if (r.damaged)
            return QBrush(problemColor());
        return {};
    case Qt::ToolTipRole:
        if (r.damaged)
            return tr("Damaged run: %1").arg(QString::fromStdString(r.problem));
        if (column == NameColumn)
            return QDir::toNativeSeparators(QString::fromStdString(r.dir));
        if (column == RecipeColumn)
            return QString::fromStdString(mnist::toJsonText(r.config));
        if (column == TagsColumn && !r.notesProblem.empty())
            return tr("The notes cannot be read: %1").arg(QString::fromStdString(r.notesProblem));
        if ((column == TagsColumn || column == NameColumn) && !r.note.empty())
            return QString::fromStdString(r.note);
        return {};
    case Qt::TextAlignmentRole:
        if (column >= BestColumn && column <= EpochsColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    default: return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        const QString titles[ColumnCount] = {tr("Run"), tr("Date"), tr("Architecture"), tr("Recipe"),
                                             tr("Best test %"), tr("Test % at best valid"), tr("Final test %"),
                                             tr("Duration"), tr("Epochs"), tr("State"), tr("Sweep"), tr("Tags")};
        return titles[section];
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BestColumn:
            return tr("Best test accuracy over the epochs (the notebook's metric; picks the epoch on the test set)");
        case HonestColumn:
            return tr("Test accuracy at the epoch with the lowest valid loss (chosen without looking at the test set)");
        case EpochsColumn: return tr("Epochs done / planned");
        case StateColumn:
            return tr("finished: all epochs ran; stopped: ended on request; running or killed: no summary yet; "
                      "damaged: a file cannot be read");
        case GroupColumn: return tr("The sweep a trial belongs to (sort by it to see each sweep's trials together)");
        case TagsColumn: return tr("The run's tags; type tag:NAME in the filter to show one tag's runs");
        default: return {};
        }
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

RunFilterModel::RunFilterModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RunTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void RunFilterModel::setFilterText(const QString& text)
{
    QStringList words, tags;
    const QLatin1String tagPrefix("tag:");
    for (const QString& w : text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (w.startsWith(tagPrefix, Qt::CaseInsensitive) && w.size() > tagPrefix.size())
            tags << w.mid(tagPrefix.size());
        else
            words << w.toLower();
    }
    if (words == m_words && tags == m_tags)
        return;
    m_words = words;
    m_tags = tags;
    invalidateFilter();
}

QString RunFilterModel::filterText() const
{
    QStringList all = m_words;
    for (const QString& t : m_tags)
        all << QStringLiteral("tag:") + t;
    return all.join(QLatin1Char(' '));
}

void RunFilterModel::setArchitecture(const QString& arch)
{
    if (arch == m_arch)
        return;
    m_arch = arch;
    invalidateFilter();
}

bool RunFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_arch.isEmpty() && index.data(RunTableModel::ArchRole).toString() != m_arch)
        return false;
    if (!m_tags.isEmpty()) {
        const QStringList tags = index.data(RunTableModel::TagsRole).toStringList();
        if (!std::all_of(m_tags.begin(), m_tags.end(), [&](const QString& t) { return tags.contains(t); }))
            return false;
    }
    if (m_words.isEmpty())
        return true;
    // Lower case on both sides, made once: a case-sensitive search is the cheap one.
    const QString haystack = index.data(RunTableModel::FilterRole).toString();
    return std::all_of(m_words.begin(), m_words.end(), [&](const QString& w) { return haystack.contains(w); });
}

bool RunFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant a = left.data(RunTableModel::SortRole);
    const QVariant b = right.data(RunTableModel::SortRole);
    const QPartialOrdering order = QVariant::compare(a, b);
    if (order == QPartialOrdering::Less || order == QPartialOrdering::Greater)
        return order == QPartialOrdering::Less;
    // Equal values keep a stable, meaningful order: by folder name.
    return left.sibling(left.row(), RunTableModel::NameColumn).data().toString() <
           right.sibling(right.row(), RunTableModel::NameColumn).data().toString();
}

} // namespace studio
