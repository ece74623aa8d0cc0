#include "evaluation/EvaluateWeightsDialog.h"
#include "evaluation/ConfusionTable.h"
#include "shared/ClassNames.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace studio {

EvaluateWeightsDialog::EvaluateWeightsDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("evaluateWeightsDialog"));
    setWindowTitle(tr("Evaluate weights"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto* pathRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("weightsPath"));
    m_path->setPlaceholderText(tr("model.safetensors (PyTorch state_dict names) or a LibTorch .pt"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &EvaluateWeightsDialog::browse);
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("Weights:"), pathRow);
    m_arch = new QComboBox(this);
    m_arch->setObjectName(QStringLiteral("weightsArch"));
    for (const auto& a : architectureSummaries())
        m_arch->addItem(QString::fromStdString(a.name));
    form->addRow(tr("Architecture:"), m_arch);
    m_normalize = new QCheckBox(tr("Normalize the inputs (as the model was trained)"), this);
    form->addRow(QString(), m_normalize);
    m_dataset = new QLabel(this);
    m_dataset->setWordWrap(true);
    form->addRow(tr("Test set:"), m_dataset);
    layout->addLayout(form);

    m_run = new QPushButton(tr("Evaluate"), this);
    m_run->setObjectName(QStringLiteral("evaluateButton"));
    m_run->setDefault(true);
    connect(m_run, &QPushButton::clicked, this, &EvaluateWeightsDialog::evaluate);
    layout->addWidget(m_run, 0, Qt::AlignLeft);
    m_resultLabel = new QLabel(this);
    m_resultLabel->setObjectName(QStringLiteral("evaluationResult"));
    m_resultLabel->setWordWrap(true);
    m_resultLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_resultLabel);

    m_confusion = new ConfusionTable(this);
    m_confusion->setObjectName(QStringLiteral("confusionTable"));
    m_confusion->setToolTip(tr("Rows: true label; columns: predicted label"));
    layout->addWidget(new QLabel(tr("Confusion counts (rows: true label, columns: predicted; last: per-class accuracy):"), this));
    layout->addWidget(m_confusion, 1);

    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);

    connect(&m_watcher, &QFutureWatcher<CallOutcome<WeightsEvaluation>>::finished, this, &EvaluateWeightsDialog::onFinished);
    resize(640, 560);
}

EvaluateWeightsDialog::~EvaluateWeightsDialog()
{
    // The evaluation owns copies of everything it uses; waiting only keeps the thread pool tidy.
    m_watcher.waitForFinished();
}

void EvaluateWeightsDialog::setDatasetConfig(const mnist::TrainConfig& config)
{
    m_config = config;
    setArchitecture(QString::fromStdString(config.arch));
    m_normalize->setChecked(config.augment.normalize);
    m_normalize->setText(tr("Normalize the inputs with mean %1, std %2 (as the model was trained)")
                             .arg(config.augment.mean)
                             .arg(config.augment.std));
    m_dataset->setText(QDir::toNativeSeparators(QString::fromStdString(dataFolderFor(config))));
}

void EvaluateWeightsDialog::setWeightsPath(const QString& path)
{
    m_path->setText(path);
}

void EvaluateWeightsDialog::setArchitecture(const QString& arch)
{
    const int i = m_arch->findText(arch);
    if (i >= 0)
        m_arch->setCurrentIndex(i);
}

void EvaluateWeightsDialog::browse()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Weights to evaluate"), m_path->text(),
                                                      tr("Weights (*.safetensors *.pt);;All files (*)"));
    if (!path.isEmpty())
        m_path->setText(path);
}

void EvaluateWeightsDialog::evaluate()
{
    if (isBusy())
        return;
    const QString path = m_path->text().trimmed();
    if (path.isEmpty()) {
        m_ok = false;
        m_resultLabel->setText(tr("Choose a weights file first."));
        Q_EMIT evaluationFinished(false);
        return;
    }
    mnist::TrainConfig config = m_config;
    config.arch = m_arch->currentText().toStdString();
    config.augment.normalize = m_normalize->isChecked();
    const std::string weights = path.toStdString();
    m_run->setEnabled(false);
    m_resultLabel->setText(tr("Evaluating %1 as %2 …").arg(QFileInfo(path).fileName(), m_arch->currentText()));
    // 10,000 images take about a second on a small CPU: not on the GUI thread.
    m_watcher.setFuture(runInBackground([config, weights] { return evaluateWeightsFile(config, weights); }));
}

void EvaluateWeightsDialog::onFinished()
{
    const CallOutcome<WeightsEvaluation> out = m_watcher.result();
    m_run->setEnabled(true);
    m_ok = out.ok;
    markProblem(m_resultLabel, !out.ok);
    if (!out.ok) {
        m_resultLabel->setText(tr("The weights could not be evaluated: %1").arg(out.error));
        m_result = WeightsEvaluation{};
        m_confusion->clearCounts();
        Q_EMIT evaluationFinished(false);
        return;
    }
    m_result = out.value;
    m_resultLabel->setText(tr("Test accuracy %1% (%2 of %3 images)")
                          .arg(formatReal(out.value.accuracy, 2))
                          .arg(out.value.correct)
                          .arg(out.value.total));
    m_confusion->setClassLabels(classLabels(out.value.classNames, out.value.classes, std::string()));
    m_confusion->setCounts(out.value.confusion, out.value.classes);
    Q_EMIT evaluationFinished(true);
}

QString EvaluateWeightsDialog::resultText() const
{
    return m_resultLabel->text();
}

int EvaluateWeightsDialog::confusionCell(int trueLabel, int predicted) const
{
    return m_confusion->count(trueLabel, predicted);
}

} // namespace studio
