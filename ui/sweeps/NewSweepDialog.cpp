#include "sweeps/NewSweepDialog.h"

#include "shared/QtText.h"
#include "shared/StatusStyle.h"

#include "sweep/SweepSpec.h"
#include "spec/ConfigFields.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace studio {
namespace {

using json = nlohmann::json;
using Mode = NewSweepDialog::Mode;
using Search = NewSweepDialog::Search;

bool isGridMode(Mode m)
{
    return m == Mode::Values || m == Mode::LinearRange || m == Mode::LogRange;
}

bool allowed(Search search, Mode m)
{
    return search == Search::Random || (search == Search::Grid) == isGridMode(m);
}

// The mode a row takes in the other kind of search: a value list and a choice, a range and an interval.
Mode counterpart(Mode m)
{
    switch (m) {
    case Mode::Values: return Mode::RandomChoice;
    case Mode::LinearRange: return Mode::RandomUniform;
    case Mode::LogRange: return Mode::RandomLogUniform;
    case Mode::RandomChoice: return Mode::Values;
    case Mode::RandomUniform:
    case Mode::RandomIntUniform: return Mode::LinearRange;
    case Mode::RandomLogUniform: return Mode::LogRange;
    }
    return m;
}

// The settings a sweep may vary (the field table's scope) whose values this dialog can take as
// text: numbers, choices and switches.
bool sweepable(const mnist::ConfigField& f)
{
    using K = mnist::FieldKind;
    return mnist::inScope(f, mnist::FieldScope::Sweepable) &&
           (f.kind == K::Real || f.kind == K::Integer || f.kind == K::Choice || f.kind == K::Flag);
}

QStringList tokens(const QString& text)
{
    return text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
}

// A token as the field's JSON: a number (whole for an integer setting), true/false, else text.
json valueOf(const mnist::ConfigField& f, const QString& token)
{
    bool ok = false;
    const double v = token.toDouble(&ok);
    if (f.kind == mnist::FieldKind::Flag)
        return token == QLatin1String("true") || token == QLatin1String("1") || token == QLatin1String("on");
    if (ok && f.kind == mnist::FieldKind::Integer && std::floor(v) == v)
        return static_cast<int64_t>(v);
    if (ok && f.kind != mnist::FieldKind::Choice)
        return v;
    return token.toStdString();
}

} // namespace

NewSweepDialog::NewSweepDialog(const mnist::TrainConfig& base, QWidget* parent) : QDialog(parent), m_base(base)
{
    setWindowTitle(tr("New sweep"));
    setObjectName(QStringLiteral("newSweepDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Runs the set-up panel's training (%1, %2 epochs) over the settings below, each "
                                "configuration once per seed. Ranges and value lists make a grid; random rows are "
                                "sampled together, as many times as “Random samples” says; TPE samples the rows' "
                                "distributions where the best trials so far were. A pruner pauses hopeless trials early.")
                                 .arg(fromStd(base.arch))
                                 .arg(base.epochs));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    m_name = new QLineEdit(QStringLiteral("sweep-%1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    m_name->setObjectName(QStringLiteral("sweepName"));
    m_name->setToolTip(tr("The sweep's folder, under the runs folder's sweeps/"));
    form->addRow(tr("Name:"), m_name);
    m_search = new QComboBox;
    m_search->setObjectName(QStringLiteral("sweepSearch"));
    m_search->addItems({tr("Grid"), tr("Random"), tr("TPE")});
    m_search->setToolTip(tr("Grid: every combination of the value lists and ranges · Random: those crossed with random samples of "
                            "the distribution rows · TPE: the Tree-structured Parzen Estimator samples the distributions where "
                            "the trials so far did best (by valid loss)"));
    form->addRow(tr("Search:"), m_search);
    layout->addLayout(form);

    m_rowsLayout = new QVBoxLayout;
    layout->addLayout(m_rowsLayout);
    auto* add = new QPushButton(tr("Add a setting"));
    add->setObjectName(QStringLiteral("addSweepSetting"));
    connect(add, &QPushButton::clicked, this, [this] { addSetting(QStringLiteral("batch_size"), Mode::Values, QString()); });
    layout->addWidget(add, 0, Qt::AlignLeft);

    auto* more = new QFormLayout;
    m_searchForm = more;
    m_trials = new QSpinBox;
    m_trials->setObjectName(QStringLiteral("sweepRandomTrials"));
    m_trials->setRange(1, 10000);
    m_trials->setValue(8);
    m_trials->setToolTip(tr("How many configurations random search draws (from a fixed seed: the same every time), or TPE tries"));
    more->addRow(tr("Random samples:"), m_trials);
    m_startup = new QSpinBox;
    m_startup->setObjectName(QStringLiteral("sweepTpeStartup"));
    m_startup->setRange(1, 10000);
    m_startup->setValue(10);
    m_startup->setToolTip(tr("TPE's first trials are drawn at random, to learn from"));
    more->addRow(tr("Random start-up trials:"), m_startup);
    m_tpeSeed = new QSpinBox;
    m_tpeSeed->setObjectName(QStringLiteral("sweepTpeSeed"));
    m_tpeSeed->setRange(0, 1000000);
    m_tpeSeed->setToolTip(tr("The search's own seed: the same seed, one trial at a time, draws the same trials"));
    more->addRow(tr("Search seed:"), m_tpeSeed);
    m_pruner = new QComboBox;
    m_pruner->setObjectName(QStringLiteral("sweepPruner"));
    m_pruner->addItems({tr("None"), tr("ASHA"), tr("Median")});
    m_pruner->setToolTip(tr("ASHA: at each rung (min epochs × factor^k) only the best 1/factor of the trials that reached it go on; "
                            "the others pause and may be resumed later · Median: a trial worse than the median of the others at "
                            "the same epoch stops"));
    more->addRow(tr("Pruner:"), m_pruner);
    m_minEpochs = new QSpinBox;
    m_minEpochs->setObjectName(QStringLiteral("sweepAshaMinEpochs"));
    m_minEpochs->setRange(1, 10000);
    m_minEpochs->setValue(1);
    m_minEpochs->setToolTip(tr("ASHA's first rung: every trial trains at least this many epochs"));
    more->addRow(tr("Min epochs:"), m_minEpochs);
    m_reduction = new QSpinBox;
    m_reduction->setObjectName(QStringLiteral("sweepAshaReduction"));
    m_reduction->setRange(2, 100);
    m_reduction->setValue(3);
    m_reduction->setToolTip(tr("η: the top 1/η of a rung goes on, and the rungs are η times apart"));
    more->addRow(tr("Reduction factor:"), m_reduction);
    m_warmup = new QSpinBox;
    m_warmup->setObjectName(QStringLiteral("sweepMedianWarmup"));
    m_warmup->setRange(0, 10000);
    m_warmup->setValue(1);
    m_warmup->setToolTip(tr("No trial is stopped before it has trained more than this many epochs"));
    more->addRow(tr("Warm-up epochs:"), m_warmup);
    m_seeds = new QLineEdit(QStringLiteral("1, 2, 3"));
    m_seeds->setObjectName(QStringLiteral("sweepSeeds"));
    m_seeds->setToolTip(tr("Every configuration runs once per seed; the Sweeps tab shows their mean ± standard deviation"));
    more->addRow(tr("Seeds:"), m_seeds);
    m_jobs = new QSpinBox;
    m_jobs->setObjectName(QStringLiteral("sweepParallel"));
    m_jobs->setRange(1, 64);
    m_jobs->setValue(std::max(1, QThread::idealThreadCount()));
    m_jobs->setToolTip(tr("Trials trained at once, each a process with the cores shared out between them"));
    more->addRow(tr("Parallel runs:"), m_jobs);
    layout->addLayout(more);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("sweepSummary"));
    layout->addWidget(m_summary);
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("sweepProblems"));
    m_problems->setWordWrap(true);
    markProblem(m_problems, true);
    layout->addWidget(m_problems);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create and run"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    connect(m_name, &QLineEdit::textChanged, this, [this] {
        m_extraProblem.clear();
        update();
    });
    connect(m_seeds, &QLineEdit::textChanged, this, &NewSweepDialog::update);
    for (QSpinBox* box : {m_trials, m_startup, m_tpeSeed, m_minEpochs, m_reduction, m_warmup})
        connect(box, QOverload<int>::of(&QSpinBox::valueChanged), this, &NewSweepDialog::update);
    connect(m_search, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        for (Row& r : m_rows)
            fitRowToSearch(r);
        showSearchRows();
        update();
    });
    connect(m_pruner, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        showSearchRows();
        update();
    });
    showSearchRows();

    // A start: the learning rate at the panel's value and a third of it.
    addSetting(QStringLiteral("lr"), Mode::Values,
               QStringLiteral("%1, %2").arg(QString::number(base.lr, 'g', 6), QString::number(base.lr / 3, 'g', 6)));
    resize(720, sizeHint().height());
}

void NewSweepDialog::clearSettings()
{
    while (!m_rows.empty())
        removeRow(m_rows.back().widget);
}

void NewSweepDialog::addSetting(const QString& key, Mode mode, const QString& text)
{
    Row row;
    row.widget = new QWidget;
    auto* h = new QHBoxLayout(row.widget);
    h->setContentsMargins(0, 0, 0, 0);
    row.field = new QComboBox;
    row.field->setObjectName(QStringLiteral("sweepField_%1").arg(m_rows.size()));
    for (const mnist::ConfigField& f : mnist::configFields())
        if (sweepable(f))
            row.field->addItem(QStringLiteral("%1 (%2)").arg(fromStd(f.label), fromStd(f.key)), fromStd(f.key));
    row.field->setCurrentIndex(row.field->findData(key));
    row.mode = new QComboBox;
    row.mode->setObjectName(QStringLiteral("sweepMode_%1").arg(m_rows.size()));
    row.mode->addItems({tr("values"), tr("linear range"), tr("log range"), tr("random, uniform"), tr("random, log-uniform"),
                        tr("random, one of"), tr("random, whole number")});
    row.mode->setCurrentIndex(static_cast<int>(mode));
    row.mode->setToolTip(tr("values: a, b, c · linear/log range: from, to, points · random uniform/log-uniform/whole number: "
                            "low, high · random one of: a, b, c"));
    // A distribution row in a grid makes the search random (a grid crossed with samples, as before).
    if (search() == Search::Grid && !isGridMode(mode)) {
        const QSignalBlocker block(m_search);
        m_search->setCurrentIndex(static_cast<int>(Search::Random));
        showSearchRows();
    }
    row.text = new QLineEdit(text);
    row.text->setObjectName(QStringLiteral("sweepValues_%1").arg(m_rows.size()));
    row.text->setPlaceholderText(tr("e.g. 0.01, 0.003, 0.001"));
    auto* remove = new QToolButton;
    remove->setText(QStringLiteral("✕"));
    remove->setToolTip(tr("Remove this setting"));
    h->addWidget(row.field, 3);
    h->addWidget(row.mode, 2);
    h->addWidget(row.text, 4);
    h->addWidget(remove);
    QWidget* widget = row.widget;
    connect(remove, &QToolButton::clicked, this, [this, widget] { removeRow(widget); });
    connect(row.field, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &NewSweepDialog::update);
    connect(row.mode, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &NewSweepDialog::update);
    connect(row.text, &QLineEdit::textChanged, this, &NewSweepDialog::update);
    m_rowsLayout->addWidget(row.widget);
    fitRowToSearch(row);
    m_rows.push_back(row);
    update();
}

void NewSweepDialog::fitRowToSearch(Row& row)
{
    const Search s = search();
    auto* modes = qobject_cast<QStandardItemModel*>(row.mode->model());
    for (int i = 0; i < row.mode->count(); ++i)
        if (modes)
            modes->item(i)->setEnabled(allowed(s, static_cast<Mode>(i)));
    const auto mode = static_cast<Mode>(row.mode->currentIndex());
    if (allowed(s, mode))
        return;
    // The same values in the other kind: a list's values become the choices; a range's ends the
    // interval (its points dropped), an interval's ends a range of three points.
    const QStringList t = tokens(row.text->text());
    const Mode to = counterpart(mode);
    QString text = row.text->text();
    if (!isGridMode(mode) && to != Mode::Values)
        text = QStringList(t.mid(0, 2)).join(QStringLiteral(", ")) + QStringLiteral(", 3");
    else if (isGridMode(mode) && to != Mode::RandomChoice)
        text = QStringList(t.mid(0, 2)).join(QStringLiteral(", "));
    const QSignalBlocker blockMode(row.mode), blockText(row.text);
    row.mode->setCurrentIndex(static_cast<int>(to));
    row.text->setText(text);
}

void NewSweepDialog::showSearchRows()
{
    const Search s = search();
    const auto pruner = static_cast<Pruner>(m_pruner->currentIndex());
    m_searchForm->setRowVisible(m_trials, s != Search::Grid);
    if (auto* label = qobject_cast<QLabel*>(m_searchForm->labelForField(m_trials)))
        label->setText(s == Search::Tpe ? tr("Trials:") : tr("Random samples:"));
    m_searchForm->setRowVisible(m_startup, s == Search::Tpe);
    m_searchForm->setRowVisible(m_tpeSeed, s == Search::Tpe);
    m_searchForm->setRowVisible(m_minEpochs, pruner == Pruner::Asha);
    m_searchForm->setRowVisible(m_reduction, pruner == Pruner::Asha);
    m_searchForm->setRowVisible(m_warmup, pruner == Pruner::Median);
}

void NewSweepDialog::setSearch(Search search)
{
    m_search->setCurrentIndex(static_cast<int>(search));
}

NewSweepDialog::Search NewSweepDialog::search() const
{
    return static_cast<Search>(m_search->currentIndex());
}

void NewSweepDialog::setTpe(int trials, int startup, int seed)
{
    m_trials->setValue(trials);
    m_startup->setValue(startup);
    m_tpeSeed->setValue(seed);
}

void NewSweepDialog::setPruner(Pruner pruner)
{
    m_pruner->setCurrentIndex(static_cast<int>(pruner));
}

void NewSweepDialog::setAsha(int minEpochs, int reductionFactor)
{
    m_minEpochs->setValue(minEpochs);
    m_reduction->setValue(reductionFactor);
}

void NewSweepDialog::setMedianWarmup(int epochs)
{
    m_warmup->setValue(epochs);
}

void NewSweepDialog::removeRow(QWidget* widget)
{
    for (auto it = m_rows.begin(); it != m_rows.end(); ++it)
        if (it->widget == widget) {
            m_rows.erase(it);
            widget->deleteLater();
            break;
        }
    update();
}

void NewSweepDialog::setSeeds(const QString& text)
{
    m_seeds->setText(text);
}

void NewSweepDialog::setRandomTrials(int trials)
{
    m_trials->setValue(trials);
}

void NewSweepDialog::setSweepName(const QString& name)
{
    m_name->setText(name);
}

void NewSweepDialog::setParallelRuns(int jobs)
{
    m_jobs->setValue(jobs);
}

QString NewSweepDialog::sweepName() const
{
    return m_name->text().trimmed();
}

int NewSweepDialog::parallelRuns() const
{
    return m_jobs->value();
}

json NewSweepDialog::spec() const
{
    json base = m_base;
    json s = {{"base", base}};
    json grid = json::object(), space = json::object();
    for (const Row& r : m_rows) {
        const std::string key = r.field->currentData().toString().toStdString();
        const mnist::ConfigField* f = mnist::findField(key);
        if (!f)
            continue;
        const QStringList t = tokens(r.text->text());
        const auto mode = static_cast<Mode>(r.mode->currentIndex());
        json values = json::array();
        switch (mode) {
        case Mode::Values:
            for (const QString& token : t)
                values.push_back(valueOf(*f, token));
            grid[key] = values;
            break;
        case Mode::LinearRange:
        case Mode::LogRange: {
            bool a = false, b = false, c = false;
            const double lo = t.value(0).toDouble(&a), hi = t.value(1).toDouble(&b);
            const int n = t.value(2, QStringLiteral("3")).toInt(&c);
            if (t.size() < 2 || t.size() > 3 || !a || !b || !c || n < 1 || n > 1000 || (mode == Mode::LogRange && (lo <= 0 || hi <= 0))) {
                grid[key] = json::array(); // refused with its key: "a non-empty list"
                break;
            }
            for (int i = 0; i < n; ++i) {
                const double u = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
                const double v = mode == Mode::LogRange ? std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo))) : lo + u * (hi - lo);
                const json j = f->kind == mnist::FieldKind::Integer ? json(static_cast<int64_t>(std::llround(v))) : json(v);
                if (std::find(values.begin(), values.end(), j) == values.end())
                    values.push_back(j);
            }
            grid[key] = values;
            break;
        }
        case Mode::RandomUniform:
        case Mode::RandomLogUniform:
            for (const QString& token : t)
                values.push_back(token.toDouble());
            space[key] = {{mode == Mode::RandomUniform ? "uniform" : "log_uniform", values}};
            break;
        case Mode::RandomChoice:
            for (const QString& token : t)
                values.push_back(valueOf(*f, token));
            space[key] = {{"choice", values}};
            break;
        case Mode::RandomIntUniform:
            for (const QString& token : t) {
                bool whole = false;
                const qlonglong v = token.toLongLong(&whole);
                values.push_back(whole ? json(static_cast<int64_t>(v)) : json(token.toDouble()));
            }
            space[key] = {{"int_uniform", values}};
            break;
        }
    }
    if (!grid.empty())
        s["grid"] = grid;
    if (search() == Search::Tpe)
        s["tpe"] = {{"trials", m_trials->value()}, {"startup", m_startup->value()}, {"seed", m_tpeSeed->value()}, {"space", space}};
    else if (!space.empty())
        s["random"] = {{"trials", m_trials->value()}, {"space", space}};
    switch (static_cast<Pruner>(m_pruner->currentIndex())) {
    case Pruner::None: break;
    case Pruner::Asha:
        s["pruner"] = {{"type", "asha"}, {"min_epochs", m_minEpochs->value()}, {"reduction_factor", m_reduction->value()}};
        break;
    case Pruner::Median: s["pruner"] = {{"type", "median"}, {"warmup_epochs", m_warmup->value()}}; break;
    }
    json seeds = json::array();
    for (const QString& token : tokens(m_seeds->text())) {
        bool ok = false;
        const qulonglong v = token.toULongLong(&ok);
        seeds.push_back(ok ? json(static_cast<uint64_t>(v)) : json(token.toStdString()));
    }
    s["seeds"] = seeds;
    return s;
}

QString NewSweepDialog::problems() const
{
    QStringList lines;
    if (sweepName().isEmpty() || sweepName().contains(QLatin1Char('/')) || sweepName().startsWith(QLatin1Char('.')))
        lines << tr("name: a folder name is needed (no “/”, not starting with “.”)");
    for (const mnist::FieldProblem& p : mnist::sweepSpecProblems(spec()))
        lines << (p.field.empty() ? fromStd(p.message) : fromStd(p.field) + QStringLiteral(": ") + fromStd(p.message));
    if (!m_extraProblem.isEmpty())
        lines << m_extraProblem;
    return lines.join(QLatin1Char('\n'));
}

QString NewSweepDialog::summaryText() const
{
    return m_summary->text();
}

void NewSweepDialog::showProblem(const QString& text)
{
    m_extraProblem = text;
    update();
}

void NewSweepDialog::update()
{
    const QString p = problems();
    m_problems->setText(p);
    m_problems->setVisible(!p.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(p.isEmpty() || (m_extraProblem.size() && p == m_extraProblem));
    try {
        const mnist::SweepPlan plan = mnist::planSweep(spec());
        m_summary->setText(tr("%1 configurations × %2 seeds = %3 trials of %4 epochs")
                               .arg(plan.groups)
                               .arg(plan.seeds.size())
                               .arg(plan.trials.size())
                               .arg(m_base.epochs));
    } catch (const std::exception&) {
        m_summary->setText(tr("Fix the problems below to see the trial count"));
    }
}

} // namespace studio
