#include "sweeps/SweepConfigModel.h"

#include "shared/QtText.h"
#include "sweeps/SweepCells.h"

#include "sweep/SweepSummary.h"

#include <algorithm>

namespace studio {

SweepConfigModel::SweepConfigModel(QObject* parent) : KeyedTableModel(parent) {}

void SweepConfigModel::setSummary(const mnist::SweepSummary& s)
{
    QVector<Column> columns;
    for (const std::string& k : s.keys)
        columns.push_back({fromStd(k), {}});
    // The number a user compares comes right after the settings, where a narrow table still shows it.
    columns.push_back({tr("Honest acc. %"), tr("Mean over the seeds of the test accuracy at the epoch of lowest valid loss (the honest metric)")});
    for (const QString& title : {tr("± std"), tr("Seeds"), tr("Min"), tr("Max"), tr("Best acc. %"), tr("Seconds")})
        columns.push_back({title, {}});

    QVector<Row> rows;
    for (size_t rank = 0; rank < s.groups.size(); ++rank) {
        const mnist::SweepGroup& g = s.groups[rank];
        Row row;
        row.key = g.group;
        for (const std::string& k : s.keys) {
            Cell cell;
            if (g.params.contains(k))
                cell.insert(Qt::DisplayRole, sweepValue(g.params[k]));
            row.cells.push_back(cell);
        }
        const mnist::Spread& honest = g.testAccAtBestValid;
        const bool has = honest.n > 0;
        row.cells.push_back(figureCell(honest.mean, 2, has));
        row.cells.push_back(figureCell(honest.std, 2, has && honest.n > 1));
        Cell seeds;
        seeds.insert(Qt::DisplayRole, QStringLiteral("%1/%2").arg(g.finished).arg(g.runs));
        seeds.insert(Qt::ToolTipRole, tr("Finished runs of the configuration's seeds"));
        row.cells.push_back(seeds);
        row.cells.push_back(figureCell(honest.min, 2, has));
        row.cells.push_back(figureCell(honest.max, 2, has));
        row.cells.push_back(figureCell(g.bestTestAcc.mean, 2, g.bestTestAcc.n > 0));
        row.cells.push_back(figureCell(g.seconds.mean, 0, g.seconds.n > 0));
        for (Cell& cell : row.cells)
            cell.insert(RankRole, static_cast<int>(rank));
        rows.push_back(std::move(row));
    }
    // In configuration order: a row's place does not depend on how the configurations rank now.
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
    setContents(columns, rows);
}

} // namespace studio
