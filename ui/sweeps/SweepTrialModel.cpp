#include "sweeps/SweepTrialModel.h"

#include "shared/QtText.h"
#include "shared/StatusStyle.h"
#include "sweeps/SweepCells.h"

#include "sweep/SweepFolder.h"
#include "sweep/SweepSummary.h"

#include <QBrush>

namespace studio {

SweepTrialModel::SweepTrialModel(QObject* parent) : KeyedTableModel(parent) {}

void SweepTrialModel::setSweep(const mnist::SweepReading& sweep, const std::vector<mnist::TrialResult>& results)
{
    QVector<Column> columns;
    for (const QString& title : {tr("Trial"), tr("Settings"), tr("Seed"), tr("State"), tr("Epochs"), tr("Honest acc. %")})
        columns.push_back({title, {}});
    const auto text = [](const QString& s) {
        Cell cell;
        cell.insert(Qt::DisplayRole, s);
        return cell;
    };
    QVector<Row> rows;
    const mnist::SweepFolder& f = sweep.folder;
    for (size_t i = 0; i < f.plan.trials.size(); ++i) {
        const mnist::SweepTrial& t = f.plan.trials[i];
        const mnist::TrialStatus& status = f.status[i];
        const mnist::RunRecord& run = sweep.runs[i];
        Row row;
        row.key = t.index;
        row.cells.push_back(text(fromStd(t.runName)));
        row.cells.push_back(text(fromStd(mnist::describeParams(t.params))));
        row.cells.push_back(text(QString::number(t.seed)));
        Cell state = text(fromStd(mnist::trialStateName(status.state)));
        // The search's verdicts; the folder's own state says more of the others (interrupted, damaged).
        if (i < results.size() && (results[i].state == "pruned" || results[i].state == "diverged"))
            state.insert(Qt::DisplayRole, trialStateText(results[i]));
        if (!status.message.empty()) {
            state.insert(Qt::ToolTipRole, fromStd(status.message));
            state.insert(Qt::ForegroundRole, QBrush(problemColor()));
        }
        row.cells.push_back(state);
        row.cells.push_back(text(QStringLiteral("%1/%2").arg(run.epochs.size()).arg(t.config.epochs)));
        row.cells.push_back(figureCell(run.stats.testAccuracyAtBestValid, 2, !run.epochs.empty()));
        rows.push_back(std::move(row));
    }
    setContents(columns, rows);
}

} // namespace studio
