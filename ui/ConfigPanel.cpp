#include "ConfigPanel.h"

#include "CoreBridge.h"
#include "LrPreviewChart.h"
#include "NumberEdit.h"
#include "TrainingWorker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <utility>

namespace studio {
namespace {

const char* const kFieldName = "fieldName"; // person-readable name of a field, for messages

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

QStringList toQStringList(const std::vector<std::string>& v)
{
    QStringList out;
    for (const auto& s : v)
        out << fromStd(s);
    return out;
}

int clampToInt(int64_t v)
{
    return static_cast<int>(std::clamp<int64_t>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

void setComboData(QComboBox* combo, const QString& data)
{
    const int i = combo->findData(data);
    if (i >= 0)
        combo->setCurrentIndex(i);
}

QString comboData(const QComboBox* combo)
{
    return combo->currentData().toString();
}

struct SchedulerChoice {
    const char* type;
    const char* label;
};

// The core's scheduler types, with the PyTorch class each one reproduces.
const SchedulerChoice kSchedulers[] = {
    {"none", "None (constant LR)"},
    {"cosine", "Cosine annealing (CosineAnnealingLR)"},
    {"cyclic", "Cyclic (CyclicLR)"},
    {"warm-restarts", "Warm restarts (CosineAnnealingWarmRestarts)"},
    {"one-cycle", "One cycle (OneCycleLR)"},
    {"step", "Step (StepLR)"},
    {"exponential", "Exponential (ExponentialLR)"},
};

} // namespace

ConfigPanel::ConfigPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("configPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildDataGroup());
    layout->addWidget(buildModelGroup());
    layout->addWidget(buildTrainingGroup());
    layout->addWidget(buildSchedulerGroup());
    layout->addWidget(buildAugmentGroup());
    layout->addStretch(1);

    // Invalid fields get a red frame; the property is set by validate().
    setStyleSheet(QStringLiteral(
        "QLineEdit[invalid=\"true\"], QSpinBox[invalid=\"true\"], QComboBox[invalid=\"true\"] "
        "{ border: 1px solid #c62828; border-radius: 2px; background: #fff3f3; }"
        "QLabel[problem=\"true\"] { color: #c62828; }"));

    // A pattern per field, matched against validate()'s messages (the core names the field).
    m_fieldPatterns = {
        {QStringLiteral("^dataset"), m_dataset},
        {QStringLiteral("data folder"), m_dataDir},
        {QStringLiteral("^train fraction"), m_trainFraction},
        {QStringLiteral("^architecture"), m_arch},
        {QStringLiteral("^epochs"), m_epochs},
        {QStringLiteral("^batch size"), m_batchSize},
        {QStringLiteral("^evaluation batch size"), m_evalBatchSize},
        {QStringLiteral("^learning rate"), m_lr},
        {QStringLiteral("^optimizer"), m_optimizer},
        {QStringLiteral("momentum"), m_momentum},
        {QStringLiteral("^weight decay"), m_weightDecay},
        {QStringLiteral("^label smoothing"), m_labelSmoothing},
        {QStringLiteral("^EMA decay"), m_emaDecay},
        {QStringLiteral("^threads"), m_threads},
        {QStringLiteral("device|CUDA"), m_device},
        {QStringLiteral("\\bT_max\\b"), m_tMax},
        {QStringLiteral("\\beta_min\\b"), m_cosineEtaMin},
        {QStringLiteral("\\beta_min\\b"), m_restartEtaMin},
        {QStringLiteral("\\bbase_lr\\b"), m_baseLr},
        {QStringLiteral("\\bmax_lr\\b"), m_cyclicMaxLr},
        {QStringLiteral("\\bmax_lr\\b"), m_oneCycleMaxLr},
        {QStringLiteral("\\bstep_size_up\\b"), m_stepSizeUp},
        {QStringLiteral("\\bstep_size_down\\b"), m_stepSizeDown},
        {QStringLiteral("cyclic mode"), m_cyclicMode},
        {QStringLiteral("\\bgamma\\b"), m_cyclicGamma},
        {QStringLiteral("\\bgamma\\b"), m_stepGamma},
        {QStringLiteral("\\bgamma\\b"), m_expGamma},
        {QStringLiteral("\\bT_0\\b"), m_t0},
        {QStringLiteral("\\bT_mult\\b"), m_tMult},
        {QStringLiteral("\\bpct_start\\b"), m_pctStart},
        {QStringLiteral("anneal"), m_anneal},
        {QStringLiteral("\\bdiv_factor\\b"), m_divFactor},
        {QStringLiteral("\\bfinal_div_factor\\b"), m_finalDivFactor},
        {QStringLiteral("\\bstep_size\\b"), m_stepSize},
        {QStringLiteral("crop scale"), m_cropScaleMin},
        {QStringLiteral("crop scale"), m_cropScaleMax},
        {QStringLiteral("crop ratio"), m_cropRatioMin},
        {QStringLiteral("crop ratio"), m_cropRatioMax},
        {QStringLiteral("rotation|degrees"), m_degrees},
        {QStringLiteral("erasing prob"), m_eraseP},
        {QStringLiteral("erasing scale"), m_eraseScaleMin},
        {QStringLiteral("erasing scale"), m_eraseScaleMax},
        {QStringLiteral("erasing ratio"), m_eraseRatioMin},
        {QStringLiteral("erasing ratio"), m_eraseRatioMax},
        {QStringLiteral("normalize mean|\\bmean\\b"), m_mean},
        {QStringLiteral("normalize std|\\bstd\\b"), m_std},
    };

    setConfig(mnist::TrainConfig{});
}

NumberEdit* ConfigPanel::numberEdit(const char* objectName, const QString& fieldName, const QString& tip)
{
    auto* e = new NumberEdit(this);
    e->setObjectName(QLatin1String(objectName));
    e->setProperty(kFieldName, fieldName);
    e->setToolTip(tip);
    connect(e, &NumberEdit::valueEdited, this, &ConfigPanel::fieldChanged);
    return e;
}

QComboBox* ConfigPanel::comboBox(const char* objectName, const std::vector<std::pair<QString, QString>>& items)
{
    auto* c = new QComboBox(this);
    c->setObjectName(QLatin1String(objectName));
    for (const auto& [label, value] : items)
        c->addItem(label, value);
    // Connected after the items: the first addItem() changes the index, and readFields() must not
    // run before every field exists.
    connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, &ConfigPanel::fieldChanged);
    return c;
}

QSpinBox* ConfigPanel::spinBox(const char* objectName, int min, int max, const QString& tip)
{
    auto* s = new QSpinBox(this);
    s->setObjectName(QLatin1String(objectName));
    s->setRange(min, max);
    s->setToolTip(tip);
    s->setGroupSeparatorShown(true);
    s->setKeyboardTracking(true); // the LR preview follows every keystroke
    connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &ConfigPanel::fieldChanged);
    return s;
}

QLabel* ConfigPanel::problemLabel(const char* objectName)
{
    auto* l = new QLabel(this);
    l->setObjectName(QLatin1String(objectName));
    l->setProperty("problem", true);
    l->setWordWrap(true);
    l->setTextFormat(Qt::PlainText);
    l->hide();
    return l;
}

QWidget* ConfigPanel::buildDataGroup()
{
    auto* group = new QGroupBox(tr("Data"), this);
    auto* form = new QFormLayout(group);
    m_dataset = comboBox("dataset", {{tr("MNIST"), QStringLiteral("mnist")},
                                     {tr("Fashion-MNIST"), QStringLiteral("fashion-mnist")},
                                     {tr("IDX folder"), QStringLiteral("idx")}});
    form->addRow(tr("Dataset"), m_dataset);

    m_dataDir = new QLineEdit(group);
    m_dataDir->setObjectName(QStringLiteral("dataDir"));
    m_dataDir->setProperty(kFieldName, tr("data folder"));
    m_dataDir->setToolTip(tr("Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
                             "and t10k-labels-idx1-ubyte (plain or .gz). Empty: data/<dataset>."));
    connect(m_dataDir, &QLineEdit::textEdited, this, &ConfigPanel::fieldChanged);
    auto* browse = new QToolButton(group);
    browse->setObjectName(QStringLiteral("browseDataDir"));
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose an IDX folder"));
    connect(browse, &QToolButton::clicked, this, &ConfigPanel::browseDataFolder);
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dataDir, 1);
    dirRow->addWidget(browse);
    form->addRow(tr("Folder"), dirRow);

    m_trainFraction = numberEdit("trainFraction", tr("train fraction"),
                                 tr("Train = the first part of the training file, valid = the rest "
                                    "(the notebook: 0.8, i.e. 48,000 / 12,000)"));
    form->addRow(tr("Train fraction"), m_trainFraction);
    return group;
}

QWidget* ConfigPanel::buildModelGroup()
{
    auto* group = new QGroupBox(tr("Model"), this);
    auto* layout = new QVBoxLayout(group);
    auto* row = new QHBoxLayout;
    std::vector<std::pair<QString, QString>> archs;
    for (const auto& a : architectureSummaries())
        archs.emplace_back(QStringLiteral("%1  (%2 parameters)")
                               .arg(fromStd(a.name), QLocale(QLocale::English).toString(static_cast<qlonglong>(a.parameters))),
                           fromStd(a.name));
    m_arch = comboBox("arch", archs);
    row->addWidget(m_arch, 1);
    m_layersButton = new QToolButton(group);
    m_layersButton->setObjectName(QStringLiteral("showLayers"));
    m_layersButton->setText(tr("Layers"));
    m_layersButton->setCheckable(true);
    m_layersButton->setToolTip(tr("Show the network's layers (PyTorch's print(model))"));
    row->addWidget(m_layersButton);
    layout->addLayout(row);

    m_archInfo = new QLabel(group);
    m_archInfo->setObjectName(QStringLiteral("archInfo"));
    m_archInfo->setWordWrap(true);
    layout->addWidget(m_archInfo);

    m_layers = new QPlainTextEdit(group);
    m_layers->setObjectName(QStringLiteral("layers"));
    m_layers->setReadOnly(true);
    m_layers->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_layers->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_layers->setMinimumHeight(160);
    m_layers->hide();
    connect(m_layersButton, &QToolButton::toggled, m_layers, &QWidget::setVisible);
    layout->addWidget(m_layers);
    return group;
}

QWidget* ConfigPanel::buildTrainingGroup()
{
    auto* group = new QGroupBox(tr("Training"), this);
    auto* form = new QFormLayout(group);

    m_optimizer = comboBox("optimizer", {{tr("Adam"), QStringLiteral("adam")},
                                         {tr("AdamW (decoupled weight decay)"), QStringLiteral("adamw")},
                                         {tr("SGD"), QStringLiteral("sgd")}});
    form->addRow(tr("Optimizer"), m_optimizer);

    m_lr = numberEdit("lr", tr("learning rate"),
                      tr("The optimizer's learning rate; the base LR of the cosine, warm-restarts, step and "
                         "exponential schedules"));
    form->addRow(tr("Learning rate"), m_lr);
    m_lrNote = new QLabel(group);
    m_lrNote->setObjectName(QStringLiteral("lrNote"));
    m_lrNote->setWordWrap(true);
    m_lrNote->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_lrNote->hide();
    form->addRow(QString(), m_lrNote);

    m_momentumRow = new QWidget(group);
    auto* momentumLayout = new QHBoxLayout(m_momentumRow);
    momentumLayout->setContentsMargins(0, 0, 0, 0);
    m_momentum = numberEdit("momentum", tr("momentum"));
    m_nesterov = new QCheckBox(tr("Nesterov"), m_momentumRow);
    m_nesterov->setObjectName(QStringLiteral("nesterov"));
    connect(m_nesterov, &QCheckBox::toggled, this, &ConfigPanel::fieldChanged);
    momentumLayout->addWidget(m_momentum, 1);
    momentumLayout->addWidget(m_nesterov);
    form->addRow(tr("Momentum"), m_momentumRow);

    m_weightDecay = numberEdit("weightDecay", tr("weight decay"));
    form->addRow(tr("Weight decay"), m_weightDecay);
    m_labelSmoothing = numberEdit("labelSmoothing", tr("label smoothing"),
                                  tr("Share of each training target spread over the other classes (0: none). "
                                     "Applies to the training and the valid loss."));
    form->addRow(tr("Label smoothing"), m_labelSmoothing);
    m_emaDecay = numberEdit("emaDecay", tr("EMA decay"),
                            tr("Keep an exponential moving average of the weights (PyTorch's AveragedModel with "
                               "get_ema_multi_avg_fn): the plots' valid loss and test accuracy, the best weights and "
                               "the saved model are the average's. 0: off; 0.999 averages about the last 1,000 "
                               "iterations (its first epoch then still leans on the first iterations' weights)."));
    form->addRow(tr("EMA of weights"), m_emaDecay);

    m_epochs = spinBox("epochs", 0, 100000);
    form->addRow(tr("Epochs"), m_epochs);
    m_batchSize = spinBox("batchSize", 0, 65536, tr("Training images per iteration (the notebook: 100 or 250)"));
    form->addRow(tr("Batch size"), m_batchSize);
    m_evalBatchSize = spinBox("evalBatchSize", 0, 65536, tr("Images per batch when computing the valid loss and the "
                                                            "test accuracy (no gradients, so larger is faster)"));
    form->addRow(tr("Eval batch size"), m_evalBatchSize);

    m_seed = new QLineEdit(group);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), m_seed));
    m_seed->setToolTip(tr("Two CPU runs with the same seed give the same numbers"));
    connect(m_seed, &QLineEdit::textEdited, this, &ConfigPanel::fieldChanged);
    form->addRow(tr("Seed"), m_seed);

    m_device = comboBox("device");
    form->addRow(tr("Device"), m_device);

    m_threads = spinBox("threads", 0, 1024, tr("Threads for the CPU's intra-op parallelism. Automatic: all cores "
                                               "but one, which the window needs to draw the charts"));
    m_threads->setSpecialValueText(tr("automatic (%1)").arg(TrainingWorker::automaticThreads()));
    form->addRow(tr("Threads"), m_threads);

    m_shuffle = new QCheckBox(tr("Shuffle the training images every epoch"), group);
    m_shuffle->setObjectName(QStringLiteral("shuffle"));
    m_shuffle->setToolTip(tr("The notebook did not shuffle (its ChunkSampler reads in order)"));
    connect(m_shuffle, &QCheckBox::toggled, this, &ConfigPanel::fieldChanged);
    form->addRow(QString(), m_shuffle);

    m_generalProblems = problemLabel("generalProblems");
    form->addRow(m_generalProblems);
    return group;
}

QWidget* ConfigPanel::buildSchedulerGroup()
{
    auto* group = new QGroupBox(tr("Learning-rate schedule (stepped every iteration)"), this);
    auto* layout = new QVBoxLayout(group);
    m_scheduler = new QComboBox(group);
    m_scheduler->setObjectName(QStringLiteral("scheduler"));
    for (const auto& s : kSchedulers)
        m_scheduler->addItem(tr(s.label), QLatin1String(s.type));
    layout->addWidget(m_scheduler);

    m_schedulerPages = new QStackedWidget(group);
    m_schedulerPages->setObjectName(QStringLiteral("schedulerPages"));
    const int maxInt = std::numeric_limits<int>::max();
    auto page = [&](const char* name) {
        auto* w = new QWidget(m_schedulerPages);
        w->setObjectName(QLatin1String(name));
        auto* form = new QFormLayout(w);
        form->setContentsMargins(0, 0, 0, 0);
        m_schedulerPages->addWidget(w);
        return form;
    };

    {
        auto* form = page("nonePage");
        auto* note = new QLabel(tr("The learning rate stays at the optimizer's value."));
        note->setWordWrap(true);
        form->addRow(note);
    }
    {
        auto* form = page("cosinePage");
        m_tMax = spinBox("tMax", 0, maxInt, tr("Iterations of a half cosine; past T_max the LR rises again, as in PyTorch"));
        form->addRow(tr("T_max"), m_tMax);
        m_cosineEtaMin = numberEdit("cosineEtaMin", QStringLiteral("eta_min"));
        form->addRow(tr("eta_min"), m_cosineEtaMin);
    }
    {
        auto* form = page("cyclicPage");
        m_baseLr = numberEdit("baseLr", QStringLiteral("base_lr"), tr("CyclicLR starts here, whatever the optimizer's learning rate"));
        form->addRow(tr("base_lr"), m_baseLr);
        m_cyclicMaxLr = numberEdit("cyclicMaxLr", QStringLiteral("max_lr"));
        form->addRow(tr("max_lr"), m_cyclicMaxLr);
        m_stepSizeUp = spinBox("stepSizeUp", 0, maxInt, tr("Iterations from base_lr up to max_lr"));
        form->addRow(tr("step_size_up"), m_stepSizeUp);
        m_stepSizeDown = spinBox("stepSizeDown", 0, maxInt, tr("Iterations back down; 0: the same as step_size_up"));
        m_stepSizeDown->setSpecialValueText(tr("same as up"));
        form->addRow(tr("step_size_down"), m_stepSizeDown);
        m_cyclicMode = comboBox("cyclicMode", {{QStringLiteral("triangular"), QStringLiteral("triangular")},
                                               {QStringLiteral("triangular2"), QStringLiteral("triangular2")},
                                               {QStringLiteral("exp_range"), QStringLiteral("exp_range")}});
        form->addRow(tr("mode"), m_cyclicMode);
        m_cyclicGamma = numberEdit("cyclicGamma", QStringLiteral("gamma"), tr("exp_range only: the amplitude shrinks by gamma^iteration"));
        form->addRow(tr("gamma"), m_cyclicGamma);
    }
    {
        auto* form = page("warmRestartsPage");
        m_t0 = spinBox("t0", 0, maxInt, tr("Iterations of the first cycle"));
        form->addRow(tr("T_0"), m_t0);
        m_tMult = numberEdit("tMult", QStringLiteral("T_mult"), tr("Each cycle is T_mult times longer than the previous one (an integer >= 1)"));
        form->addRow(tr("T_mult"), m_tMult);
        m_restartEtaMin = numberEdit("restartEtaMin", QStringLiteral("eta_min"));
        form->addRow(tr("eta_min"), m_restartEtaMin);
    }
    {
        auto* form = page("oneCyclePage");
        m_oneCycleMaxLr = numberEdit("oneCycleMaxLr", QStringLiteral("max_lr"));
        form->addRow(tr("max_lr"), m_oneCycleMaxLr);
        m_pctStart = numberEdit("pctStart", QStringLiteral("pct_start"), tr("Fraction of the run spent rising to max_lr"));
        form->addRow(tr("pct_start"), m_pctStart);
        m_anneal = comboBox("anneal", {{QStringLiteral("cos"), QStringLiteral("cos")},
                                       {QStringLiteral("linear"), QStringLiteral("linear")}});
        form->addRow(tr("anneal_strategy"), m_anneal);
        m_divFactor = numberEdit("divFactor", QStringLiteral("div_factor"), tr("Starts at max_lr / div_factor"));
        form->addRow(tr("div_factor"), m_divFactor);
        m_finalDivFactor = numberEdit("finalDivFactor", QStringLiteral("final_div_factor"));
        form->addRow(tr("final_div_factor"), m_finalDivFactor);
    }
    {
        auto* form = page("stepPage");
        m_stepSize = spinBox("stepSize", 0, maxInt, tr("Iterations between two multiplications by gamma"));
        form->addRow(tr("step_size"), m_stepSize);
        m_stepGamma = numberEdit("stepGamma", QStringLiteral("gamma"));
        form->addRow(tr("gamma"), m_stepGamma);
    }
    {
        auto* form = page("exponentialPage");
        m_expGamma = numberEdit("expGamma", QStringLiteral("gamma"), tr("The LR is multiplied by gamma after every iteration"));
        form->addRow(tr("gamma"), m_expGamma);
    }
    // Only the chosen scheduler's parameters are shown.
    connect(m_scheduler, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        showSchedulerPage(i);
        fieldChanged();
    });
    layout->addWidget(m_schedulerPages);
    m_schedulerProblems = problemLabel("schedulerProblems");
    layout->addWidget(m_schedulerProblems);

    m_lrPreview = new LrPreviewChart(group);
    m_lrPreview->setMinimumHeight(190);
    layout->addWidget(m_lrPreview);
    return group;
}

QWidget* ConfigPanel::buildAugmentGroup()
{
    auto* group = new QGroupBox(tr("Augmentation (training batches only)"), this);
    m_augmentSection = group;
    auto* layout = new QVBoxLayout(group);
    auto checkable = [&](const char* name, const QString& title, const QString& tip) {
        auto* box = new QGroupBox(title, group);
        box->setObjectName(QLatin1String(name));
        box->setCheckable(true);
        box->setToolTip(tip);
        connect(box, &QGroupBox::toggled, this, &ConfigPanel::fieldChanged);
        layout->addWidget(box);
        auto* form = new QFormLayout(box);
        return std::make_pair(box, form);
    };
    auto pairRow = [&](QFormLayout* form, const QString& label, NumberEdit* a, NumberEdit* b) {
        auto* row = new QHBoxLayout;
        row->addWidget(a);
        row->addWidget(new QLabel(QStringLiteral("–")));
        row->addWidget(b);
        form->addRow(label, row);
    };

    {
        auto [box, form] = checkable("cropGroup", tr("Random resized crop"),
                                     tr("torchvision RandomResizedCrop(28, scale, ratio), resized back bilinearly"));
        m_crop = box;
        m_cropScaleMin = numberEdit("cropScaleMin", tr("crop scale minimum"));
        m_cropScaleMax = numberEdit("cropScaleMax", tr("crop scale maximum"));
        pairRow(form, tr("Scale (area)"), m_cropScaleMin, m_cropScaleMax);
        m_cropRatioMin = numberEdit("cropRatioMin", tr("crop ratio minimum"));
        m_cropRatioMax = numberEdit("cropRatioMax", tr("crop ratio maximum"));
        pairRow(form, tr("Aspect ratio"), m_cropRatioMin, m_cropRatioMax);
    }
    {
        auto [box, form] = checkable("rotateGroup", tr("Random rotation"),
                                     tr("torchvision RandomRotation(degrees): angle ~ U(-degrees, degrees), fill 0"));
        m_rotate = box;
        m_degrees = numberEdit("degrees", tr("rotation degrees"));
        m_bilinear = new QCheckBox(tr("Bilinear (torchvision: nearest)"), box);
        m_bilinear->setObjectName(QStringLiteral("rotateBilinear"));
        connect(m_bilinear, &QCheckBox::toggled, this, &ConfigPanel::fieldChanged);
        auto* row = new QHBoxLayout;
        row->addWidget(m_degrees);
        row->addWidget(m_bilinear);
        form->addRow(tr("± degrees"), row);
    }
    {
        auto [box, form] = checkable("eraseGroup", tr("Random erasing"),
                                     tr("torchvision RandomErasing(p, scale, ratio, value 0)"));
        m_erase = box;
        m_eraseP = numberEdit("eraseP", tr("erasing probability"));
        form->addRow(tr("Probability"), m_eraseP);
        m_eraseScaleMin = numberEdit("eraseScaleMin", tr("erasing scale minimum"));
        m_eraseScaleMax = numberEdit("eraseScaleMax", tr("erasing scale maximum"));
        pairRow(form, tr("Scale (area)"), m_eraseScaleMin, m_eraseScaleMax);
        m_eraseRatioMin = numberEdit("eraseRatioMin", tr("erasing ratio minimum"));
        m_eraseRatioMax = numberEdit("eraseRatioMax", tr("erasing ratio maximum"));
        pairRow(form, tr("Aspect ratio"), m_eraseRatioMin, m_eraseRatioMax);
    }
    {
        auto [box, form] = checkable("normalizeGroup", tr("Normalize"),
                                     tr("(x - mean) / std on every split; (0.5, 0.5) maps [0, 1] to [-1, 1]"));
        m_normalize = box;
        m_mean = numberEdit("mean", tr("normalize mean"));
        m_std = numberEdit("std", tr("normalize std"));
        auto* row = new QHBoxLayout;
        row->addWidget(new QLabel(tr("mean")));
        row->addWidget(m_mean);
        row->addWidget(new QLabel(tr("std")));
        row->addWidget(m_std);
        form->addRow(row);
    }

    auto* buttons = new QHBoxLayout;
    auto* notebook = new QPushButton(tr("Notebook's augmentation"), group);
    notebook->setObjectName(QStringLiteral("notebookAugmentation"));
    notebook->setToolTip(tr("RandomResizedCrop(28, scale=(0.8, 1.2)) + RandomRotation(30), the notebook's final choice"));
    connect(notebook, &QPushButton::clicked, this, [this] {
        mnist::TrainConfig c = m_config;
        c.augment = mnist::notebookAugmentation();
        setConfig(c);
    });
    auto* none = new QPushButton(tr("None"), group);
    none->setObjectName(QStringLiteral("noAugmentation"));
    connect(none, &QPushButton::clicked, this, [this] {
        mnist::TrainConfig c = m_config;
        c.augment.crop = c.augment.rotate = c.augment.erase = c.augment.normalize = false;
        setConfig(c);
    });
    buttons->addWidget(notebook);
    buttons->addWidget(none);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_augmentProblems = problemLabel("augmentProblems");
    layout->addWidget(m_augmentProblems);
    return group;
}

void ConfigPanel::showSchedulerPage(int index)
{
    index = std::clamp(index, 0, m_schedulerPages->count() - 1);
    m_schedulerPages->setCurrentIndex(index);
    // A stacked widget is as tall as its tallest page; hidden pages must not reserve room.
    for (int i = 0; i < m_schedulerPages->count(); ++i)
        m_schedulerPages->widget(i)->setSizePolicy(QSizePolicy::Preferred,
                                                   i == index ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    m_schedulerPages->adjustSize();
}

void ConfigPanel::setConfig(const mnist::TrainConfig& config)
{
    m_config = config;
    m_writing = true;
    writeFields(config);
    m_writing = false;
    m_parseProblems.clear();
    updateVisibility();
    updateArchitectureInfo();
    validate();
    Q_EMIT configChanged();
}

void ConfigPanel::fillDevices(const std::string& current)
{
    m_device->clear();
    m_device->addItem(tr("auto (CUDA when present, else CPU)"), QStringLiteral("auto"));
    for (const auto& d : deviceNames())
        m_device->addItem(fromStd(d), fromStd(d));
    const QString wanted = fromStd(current);
    if (m_device->findData(wanted) < 0)
        m_device->addItem(tr("%1 (not present)").arg(wanted), wanted);
    setComboData(m_device, wanted);
}

void ConfigPanel::writeFields(const mnist::TrainConfig& c)
{
    const mnist::SchedulerConfig& s = c.scheduler;
    const mnist::AugmentConfig& a = c.augment;

    if (m_dataset->findData(fromStd(c.dataset)) < 0)
        m_dataset->addItem(fromStd(c.dataset), fromStd(c.dataset)); // validate() says why it is wrong
    setComboData(m_dataset, fromStd(c.dataset));
    m_dataDir->setText(fromStd(c.dataDir));
    m_trainFraction->setValue(c.trainFraction);

    if (m_arch->findData(fromStd(c.arch)) < 0)
        m_arch->addItem(fromStd(c.arch), fromStd(c.arch));
    setComboData(m_arch, fromStd(c.arch));

    if (m_optimizer->findData(fromStd(c.optimizer)) < 0)
        m_optimizer->addItem(fromStd(c.optimizer), fromStd(c.optimizer));
    setComboData(m_optimizer, fromStd(c.optimizer));
    m_lr->setValue(c.lr);
    m_momentum->setValue(c.momentum);
    m_nesterov->setChecked(c.nesterov);
    m_weightDecay->setValue(c.weightDecay);
    m_labelSmoothing->setValue(c.labelSmoothing);
    m_emaDecay->setValue(c.emaDecay);
    m_epochs->setValue(clampToInt(c.epochs));
    m_batchSize->setValue(clampToInt(c.batchSize));
    m_evalBatchSize->setValue(clampToInt(c.evalBatchSize));
    m_seed->setText(QString::number(static_cast<qulonglong>(c.seed)));
    fillDevices(c.device);
    m_threads->setValue(c.threads);
    m_shuffle->setChecked(c.shuffle);

    if (m_scheduler->findData(fromStd(s.type)) < 0)
        m_scheduler->addItem(fromStd(s.type), fromStd(s.type));
    setComboData(m_scheduler, fromStd(s.type));
    showSchedulerPage(m_scheduler->currentIndex());
    m_tMax->setValue(clampToInt(s.tMax));
    m_cosineEtaMin->setValue(s.etaMin);
    m_baseLr->setValue(s.baseLr);
    m_cyclicMaxLr->setValue(s.maxLr);
    m_stepSizeUp->setValue(clampToInt(s.stepSizeUp));
    m_stepSizeDown->setValue(clampToInt(s.stepSizeDown));
    setComboData(m_cyclicMode, fromStd(s.mode));
    m_cyclicGamma->setValue(s.gammaOr(1.0));
    m_t0->setValue(clampToInt(s.t0));
    m_tMult->setValue(s.tMult);
    m_restartEtaMin->setValue(s.etaMin);
    m_oneCycleMaxLr->setValue(s.maxLr);
    m_pctStart->setValue(s.pctStart);
    setComboData(m_anneal, fromStd(s.anneal));
    m_divFactor->setValue(s.divFactor);
    m_finalDivFactor->setValue(s.finalDivFactor);
    m_stepSize->setValue(clampToInt(s.stepSize));
    m_stepGamma->setValue(s.gammaOr(0.1));
    m_expGamma->setValue(s.gammaOr(0.9999));

    m_crop->setChecked(a.crop);
    m_cropScaleMin->setValue(a.cropScaleMin);
    m_cropScaleMax->setValue(a.cropScaleMax);
    m_cropRatioMin->setValue(a.cropRatioMin);
    m_cropRatioMax->setValue(a.cropRatioMax);
    m_rotate->setChecked(a.rotate);
    m_degrees->setValue(a.degrees);
    m_bilinear->setChecked(a.rotateBilinear);
    m_erase->setChecked(a.erase);
    m_eraseP->setValue(a.eraseP);
    m_eraseScaleMin->setValue(a.eraseScaleMin);
    m_eraseScaleMax->setValue(a.eraseScaleMax);
    m_eraseRatioMin->setValue(a.eraseRatioMin);
    m_eraseRatioMax->setValue(a.eraseRatioMax);
    m_normalize->setChecked(a.normalize);
    m_mean->setValue(a.mean);
    m_std->setValue(a.std);
}

void ConfigPanel::readFields()
{
    mnist::TrainConfig& c = m_config;
    m_parseProblems.clear();
    // `relevant`: only fields that take part in the run may block it.
    auto number = [this](NumberEdit* e, double& target, bool relevant = true) {
        if (const auto v = e->value())
            target = *v;
        else if (relevant)
            m_parseProblems << tr("%1: '%2' is not a number").arg(e->property(kFieldName).toString(), e->text());
    };

    c.dataset = comboData(m_dataset).toStdString();
    c.dataDir = m_dataDir->text().trimmed().toStdString();
    number(m_trainFraction, c.trainFraction);

    c.arch = comboData(m_arch).toStdString();
    c.optimizer = comboData(m_optimizer).toStdString();
    number(m_lr, c.lr);
    number(m_momentum, c.momentum, c.optimizer == "sgd");
    c.nesterov = m_nesterov->isChecked();
    number(m_weightDecay, c.weightDecay);
    number(m_labelSmoothing, c.labelSmoothing);
    number(m_emaDecay, c.emaDecay);
    c.epochs = m_epochs->value();
    c.batchSize = m_batchSize->value();
    c.evalBatchSize = m_evalBatchSize->value();
    bool seedOk = false;
    const qulonglong seed = m_seed->text().toULongLong(&seedOk);
    if (seedOk)
        c.seed = seed;
    else
        m_parseProblems << tr("seed: '%1' is not a whole number from 0 to 18446744073709551615").arg(m_seed->text());
    c.device = comboData(m_device).toStdString();
    c.threads = m_threads->value();
    c.shuffle = m_shuffle->isChecked();

    mnist::SchedulerConfig& s = c.scheduler;
    s.type = comboData(m_scheduler).toStdString();
    const std::string& t = s.type;
    s.tMax = m_tMax->value();
    s.stepSizeUp = m_stepSizeUp->value();
    s.stepSizeDown = m_stepSizeDown->value();
    s.mode = comboData(m_cyclicMode).toStdString();
    s.t0 = m_t0->value();
    s.anneal = comboData(m_anneal).toStdString();
    s.stepSize = m_stepSize->value();
    number(t == "warm-restarts" ? m_restartEtaMin : m_cosineEtaMin, s.etaMin, t == "cosine" || t == "warm-restarts");
    number(m_baseLr, s.baseLr, t == "cyclic");
    number(t == "one-cycle" ? m_oneCycleMaxLr : m_cyclicMaxLr, s.maxLr, t == "cyclic" || t == "one-cycle");
    number(m_tMult, s.tMult, t == "warm-restarts");
    number(m_pctStart, s.pctStart, t == "one-cycle");
    number(m_divFactor, s.divFactor, t == "one-cycle");
    number(m_finalDivFactor, s.finalDivFactor, t == "one-cycle");
    // gamma is one field of the config but each scheduler has its own default: the chosen
    // scheduler's field decides, and no gamma is stored for the others.
    NumberEdit* gammaField = t == "cyclic" ? m_cyclicGamma : t == "step" ? m_stepGamma : t == "exponential" ? m_expGamma : nullptr;
    if (gammaField) {
        double g = s.gamma.value_or(1.0);
        number(gammaField, g);
        s.gamma = g;
    } else {
        s.gamma.reset();
    }

    mnist::AugmentConfig& a = c.augment;
    a.crop = m_crop->isChecked();
    number(m_cropScaleMin, a.cropScaleMin, a.crop);
    number(m_cropScaleMax, a.cropScaleMax, a.crop);
    number(m_cropRatioMin, a.cropRatioMin, a.crop);
    number(m_cropRatioMax, a.cropRatioMax, a.crop);
    a.rotate = m_rotate->isChecked();
    number(m_degrees, a.degrees, a.rotate);
    a.rotateBilinear = m_bilinear->isChecked();
    a.erase = m_erase->isChecked();
    number(m_eraseP, a.eraseP, a.erase);
    number(m_eraseScaleMin, a.eraseScaleMin, a.erase);
    number(m_eraseScaleMax, a.eraseScaleMax, a.erase);
    number(m_eraseRatioMin, a.eraseRatioMin, a.erase);
    number(m_eraseRatioMax, a.eraseRatioMax, a.erase);
    a.normalize = m_normalize->isChecked();
    number(m_mean, a.mean, a.normalize);
    number(m_std, a.std, a.normalize);
}

void ConfigPanel::fieldChanged()
{
    if (m_writing)
        return;
    readFields();
    updateVisibility();
    updateArchitectureInfo();
    validate();
    Q_EMIT configChanged();
}

void ConfigPanel::updateVisibility()
{
    const std::string& t = m_config.scheduler.type;
    m_momentumRow->setEnabled(m_config.optimizer == "sgd");
    m_cyclicGamma->setEnabled(m_config.scheduler.mode == "exp_range");
    if (t == "cyclic")
        m_lrNote->setText(tr("CyclicLR starts at base_lr; this value is not used."));
    else if (t == "one-cycle")
        m_lrNote->setText(tr("OneCycleLR starts at max_lr / div_factor; this value is not used."));
    m_lrNote->setVisible(t == "cyclic" || t == "one-cycle");
    m_dataDir->setPlaceholderText(m_config.dataset == "idx" ? tr("choose a folder")
                                                            : tr("default: data/%1").arg(fromStd(m_config.dataset)));
}

void ConfigPanel::updateArchitectureInfo()
{
    for (const auto& a : architectureSummaries()) {
        if (a.name != m_config.arch)
            continue;
        m_archInfo->setText(tr("%1 — %2 trainable parameters")
                                .arg(fromStd(a.description),
                                     QLocale(QLocale::English).toString(static_cast<qlonglong>(a.parameters))));
        m_layers->setPlainText(fromStd(a.layers));
        m_arch->setToolTip(fromStd(a.layers));
        return;
    }
    m_archInfo->setText(QString());
    m_layers->clear();
}

void ConfigPanel::validate()
{
    QStringList general, scheduler, augment;
    // The core's validate() lists every problem; sort them under the section they belong to.
    const QStringList schedulerProblems = toQStringList(mnist::validateScheduler(m_config.scheduler));
    const QStringList augmentProblems = toQStringList(m_config.augment.validate());
    for (const QString& p : toQStringList(m_config.validate())) {
        if (schedulerProblems.contains(p))
            scheduler << p;
        else if (augmentProblems.contains(p))
            augment << p;
        else
            general << p;
    }
    // validate() checks the device's spelling; whether it is present is known here.
    const std::string& dev = m_config.device;
    if (dev.rfind("cuda", 0) == 0) {
        const auto devices = deviceNames();
        const bool present = dev == "cuda" ? devices.size() > 1
                                           : std::find(devices.begin(), devices.end(), dev) != devices.end();
        if (!present)
            general << tr("device %1 is not present on this machine (CUDA devices: %2)")
                           .arg(fromStd(dev), devices.size() > 1 ? QString::number(devices.size() - 1) : tr("none"));
    }
    for (const QString& p : m_parseProblems) {
        if (p.contains(QRegularExpression(QStringLiteral("^(T_max|eta_min|base_lr|max_lr|gamma|T_mult|pct_start|div_factor|final_div_factor)"))))
            scheduler.prepend(p);
        else if (p.contains(QRegularExpression(QStringLiteral("^(crop|rotation|erasing|normalize)"))))
            augment.prepend(p);
        else
            general.prepend(p);
    }
    m_problems = general + scheduler + augment;
    showProblems(general, scheduler, augment);

    const bool valid = m_problems.isEmpty();
    if (valid != m_lastValid) {
        m_lastValid = valid;
        Q_EMIT validityChanged(valid);
    }
    // The preview shows what the schedule would do; it explains an invalid one itself.
    m_lrPreview->setConfig(m_config);
}

void ConfigPanel::showProblems(const QStringList& general, const QStringList& scheduler, const QStringList& augment)
{
    auto fill = [](QLabel* label, const QStringList& items) {
        QStringList lines;
        for (const QString& p : items)
            lines << QStringLiteral("• ") + p;
        label->setText(lines.join(QLatin1Char('\n')));
        label->setVisible(!items.isEmpty());
    };
    fill(m_generalProblems, general);
    fill(m_schedulerProblems, scheduler);
    fill(m_augmentProblems, augment);

    for (QWidget* w : std::as_const(m_marked)) {
        w->setProperty("invalid", false);
        w->setToolTip(w->property("normalTip").toString());
        w->style()->unpolish(w);
        w->style()->polish(w);
    }
    m_marked.clear();
    for (const QString& p : std::as_const(m_problems)) {
        for (const FieldPattern& f : std::as_const(m_fieldPatterns)) {
            if (!f.widget || m_marked.contains(f.widget))
                continue;
            // A parse problem starts with the field's name; a core message matches a pattern.
            const QString name = f.widget->property(kFieldName).toString();
            const bool byName = !name.isEmpty() && p.startsWith(name + QLatin1Char(':'));
            if (byName || p.contains(QRegularExpression(f.pattern))) {
                f.widget->setProperty("normalTip", f.widget->toolTip());
                f.widget->setProperty("invalid", true);
                f.widget->setToolTip(p);
                f.widget->style()->unpolish(f.widget);
                f.widget->style()->polish(f.widget);
                m_marked << f.widget;
            }
        }
    }
}

void ConfigPanel::browseDataFolder()
{
    const QString start = m_dataDir->text().isEmpty() ? QString::fromStdString(dataFolderFor(m_config)) : m_dataDir->text();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("IDX folder"), start);
    if (dir.isEmpty())
        return;
    m_dataDir->setText(dir);
    setComboData(m_dataset, QStringLiteral("idx"));
    fieldChanged();
}

} // namespace studio
