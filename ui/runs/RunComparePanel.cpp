#include "runs/RunComparePanel.h"

#include "shared/NumberFormat.h"

#include "spec/ConfigDiff.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

namespace studio {
namespace {

// An accuracy cell: "98.50%", or nothing for a run without a finished epoch.
QString accuracyText(const mnist::RunRecord& run, double value)
{
    return run.epochs.empty() ? QString() : formatPercent(value, 2);
}

} // namespace

RunComparePanel::RunComparePanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runCompare"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    m_differencesOnly = new QCheckBox(tr("Differences only"), this);
    m_differencesOnly->setObjectName(QStringLiteral("compareDifferencesOnly"));
    m_differencesOnly->setChecked(true);
    m_differencesOnly->setToolTip(tr("Show only the settings whose values differ among the selected runs"));
    controls->addWidget(m_differencesOnly);
    controls->addStretch(1);
    controls->addWidget(new QLabel(tr("Group by:"), this));
    m_groupBy = new QComboBox(this);
    m_groupBy->setObjectName(QStringLiteral("compareGroupBy"));
    m_groupBy->setToolTip(tr("Draw one mean curve and min-max band per value of a setting instead of every run"));
    m_groupBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    controls->addWidget(m_groupBy);
    layout->addLayout(controls);

    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::ContiguousSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Ctrl+C copies the whole table as tab-separated text"));
    auto* copy = new QAction(tr("Copy table"), m_table);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, [this] { QGuiApplication::clipboard()->setText(tsv()); });
    m_table->addAction(copy);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    layout->addWidget(m_table, 1);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("compareNote"));
    m_note->setWordWrap(true);
    layout->addWidget(m_note);

    connect(m_differencesOnly, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(m_groupBy, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { emitGroupByIfChanged(); });
    setRuns({});
}

void RunComparePanel::setRuns(const std::vector<mnist::RunRecord>& runs)
{
    m_runs.clear();
    for (const auto& run : runs)
        if (!run.damaged) {
            m_runs.push_back(run);
            m_runs.back().config = mnist::runConfigForComparison(run.config, run.dir);
        }
    setVisible(m_runs.size() >= 2);
    fillGroupChoices();
    rebuild();
    emitGroupByIfChanged();
}

QString RunComparePanel::groupBy() const
{
    return m_runs.size() >= 2 ? m_groupBy->currentData().toString() : QString();
}

bool RunComparePanel::setGroupBy(const QString& key)
{
    const int index = m_groupBy->findData(key);
    if (index < 0)
        return false;
    m_groupBy->setCurrentIndex(index);
    return true;
}

void RunComparePanel::emitGroupByIfChanged()
{
    const QString key = groupBy();
    if (key == m_emittedGroupBy)
        return;
    m_emittedGroupBy = key;
    Q_EMIT groupByChanged(key);
}

// The settings that differ first (what one would group by), then every other one; the choice is
// kept while the new runs still have that setting, and while the panel is hidden (fewer than two
// runs: nothing is grouped then, but a click back to several runs groups them again).
void RunComparePanel::fillGroupChoices()
{
    if (m_runs.size() < 2 && m_groupBy->count() > 0)
        return;
    const QString current = m_groupBy->currentData().toString();
    const QSignalBlocker block(m_groupBy);
    m_groupBy->clear();
    m_groupBy->addItem(tr("(none)"), QString());
    if (m_runs.size() < 2)
        return;
    std::vector<mnist::TrainConfig> configs;
    for (const auto& run : m_runs)
        configs.push_back(run.config);
    const auto rows = mnist::compareSettings(configs, false);
    for (bool differing : {true, false}) {
        if (!differing)
            m_groupBy->insertSeparator(m_groupBy->count());
        for (const auto& row : rows)
            if (row.differs == differing)
                m_groupBy->addItem(QString::fromStdString(row.key), QString::fromStdString(row.key));
    }
    const int index = m_groupBy->findData(current);
    m_groupBy->setCurrentIndex(index >= 0 ? index : 0);
}

void RunComparePanel::rebuild()
{
    m_table->clear();
    m_table->setColumnCount(static_cast<int>(m_runs.size()));
    QStringList headers;
    std::vector<mnist::TrainConfig> configs;
    for (const auto& run : m_runs) {
        headers << QString::fromStdString(run.name);
        configs.push_back(run.config);
    }
    m_table->setHorizontalHeaderLabels(headers);
    const auto settings = mnist::compareSettings(configs, m_differencesOnly->isChecked());
    m_table->setRowCount(static_cast<int>(settings.size()) + 2);

    QFont bold = m_table->font();
    bold.setBold(true);
    QColor emphasis = palette().color(QPalette::Highlight);
    emphasis.setAlpha(40);
    const auto setRow = [&](int row, const QString& label, const QString& tip, const QStringList& values, bool differs) {
        auto* header = new QTableWidgetItem(label);
        header->setToolTip(tip);
        if (differs)
            header->setFont(bold);
        m_table->setVerticalHeaderItem(row, header);
        for (int col = 0; col < values.size(); ++col) {
            auto* item = new QTableWidgetItem(values[col]);
            if (differs) {
                item->setFont(bold);
                item->setBackground(emphasis);
            }
            m_table->setItem(row, col, item);
        }
    };
    QStringList honest, last;
    for (const auto& run : m_runs) {
        honest << accuracyText(run, run.stats.testAccuracyAtBestValid);
        last << accuracyText(run, run.stats.finalTestAccuracy);
    }
    setRow(0, tr("Honest accuracy"), tr("Test accuracy at the epoch of the lowest valid loss"), honest, false);
    setRow(1, tr("Final accuracy"), tr("Test accuracy of the last epoch"), last, false);
    int row = 2;
    for (const auto& s : settings) {
        QStringList values;
        for (const auto& v : s.values)
            values << QString::fromStdString(v);
        setRow(row++, QString::fromStdString(s.label), QString::fromStdString(s.key), values, s.differs);
    }
    m_note->setText(settings.empty() && m_differencesOnly->isChecked()
                        ? tr("The selected runs have the same settings.")
                        : QString());
    m_note->setVisible(!m_note->text().isEmpty());
}

QStringList RunComparePanel::rowLabels() const
{
    QStringList labels;
    for (int row = 0; row < m_table->rowCount(); ++row)
        labels << m_table->verticalHeaderItem(row)->text();
    return labels;
}

QString RunComparePanel::tsv() const
{
    QStringList lines;
    QStringList header{tr("Setting")};
    for (int col = 0; col < m_table->columnCount(); ++col)
        header << m_table->horizontalHeaderItem(col)->text();
    lines << header.join(QLatin1Char('\t'));
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QStringList cells{m_table->verticalHeaderItem(row)->text()};
        for (int col = 0; col < m_table->columnCount(); ++col) {
            const QTableWidgetItem* item = m_table->item(row, col);
            cells << (item ? item->text() : QString());
        }
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace studio
