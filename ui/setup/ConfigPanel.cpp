#include "setup/ConfigPanel.h"

#include "data/DataSource.h"
#include "dataset/RecentDatasets.h"

#include "shared/QtText.h"
#include "shared/CoreBridge.h"
#include "shared/NumberFormat.h"
#include "models/ModelRegistry.h"
#include "setup/LrFinderDialog.h"
#include "setup/LrPreviewChart.h"
#include "shared/NumberEdit.h"
#include "shared/StatusStyle.h"

#include "spec/ConfigFields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace studio {
namespace {

using mnist::FieldKind;
using nlohmann::json;

int clampToInt(double v)
{
    return static_cast<int>(std::clamp<double>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

void setComboData(QComboBox* combo, const QString& data)
{
    if (combo->findData(data) < 0)
        combo->addItem(data, data); // a value the table does not know: validate() says why
    combo->setCurrentIndex(combo->findData(data));
}

struct SectionInfo {
    const char* id;
    const char* title;
};

// The field table's sections, in the panel's order.
const SectionInfo kSections[] = {
    {"data", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Data")},
    {"model", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Model")},
    {"training", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Training")},
    {"machine", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Machine")},
    {"scheduler", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Learning-rate schedule (stepped every iteration)")},
    {"augment", QT_TRANSLATE_NOOP("studio::ConfigPanel", "Augmentation (training batches only)")},
};

} // namespace

ConfigPanel::ConfigPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("configPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    for (const auto& s : kSections)
        layout->addWidget(addSection(QLatin1String(s.id), tr(s.title)));
    layout->addStretch(1);

    m_rows.reserve(static_cast<int>(mnist::configFields().size()));
    for (const auto& f : mnist::configFields())
        addRow(f);
    addAugmentButtons();
    for (const auto& s : kSections) {
        auto* label = new QLabel(this);
        label->setObjectName(QLatin1String(s.id) + QStringLiteral("Problems"));
        markProblem(label, true); // red, by the application's stylesheet
        label->setWordWrap(true);
        label->setTextFormat(Qt::PlainText);
        label->hide();
        m_forms.value(QLatin1String(s.id))->addRow(label);
        m_problemLabels.insert(QLatin1String(s.id), label);
    }
    m_lrPreview = new LrPreviewChart(this);
    m_lrPreview->setMinimumHeight(190);
    m_forms.value(QStringLiteral("scheduler"))->addRow(m_lrPreview);

    setConfig(mnist::TrainConfig{});
}

QGroupBox* ConfigPanel::addSection(const QString& id, const QString& title)
{
    auto* group = new QGroupBox(title, this);
    group->setObjectName(id + QStringLiteral("Section"));
    auto* form = new QFormLayout(group);
    m_sections.insert(id, group);
    m_forms.insert(id, form);
    if (id == QLatin1String("model"))
        addModelInfo(group);
    return group;
}

void ConfigPanel::addModelInfo(QWidget* parent)
{
    // Placed by addRow() after the architecture's row: its description, parameter count and layers.
    m_archInfo = new QLabel(parent);
    m_archInfo->setObjectName(QStringLiteral("archInfo"));
    m_archInfo->setWordWrap(true);
    m_layersButton = new QToolButton(parent);
    m_layersButton->setObjectName(QStringLiteral("showLayers"));
    m_layersButton->setText(tr("Layers"));
    m_layersButton->setCheckable(true);
    m_layersButton->setToolTip(tr("Show the network's layers: each one's output shape, parameters and multiply-adds"));
    m_layers = new QPlainTextEdit(parent);
    m_layers->setObjectName(QStringLiteral("layers"));
    m_layers->setReadOnly(true);
    m_layers->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_layers->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_layers->setMinimumHeight(160);
    m_layers->hide();
    connect(m_layersButton, &QToolButton::toggled, m_layers, &QWidget::setVisible);
}

void ConfigPanel::addRow(const mnist::ConfigField& f)
{
    Row row;
    row.field = &f;
    const QString key = fromStd(f.key);
    const QString label = tr(f.label.c_str());
    if (f.kind == FieldKind::Toggle) {
        // A transform: a checkable group whose form holds the transform's parameters.
        auto* box = new QGroupBox(label, m_sections.value(fromStd(f.section)));
        box->setObjectName(key);
        box->setCheckable(true);
        box->setToolTip(fromStd(f.tooltip));
        auto* form = new QFormLayout(box);
        m_forms.insert(key, form);
        m_forms.value(fromStd(f.section))->addRow(box);
        row.editor = box;
        row.parts = {box};
        const int index = m_rows.size();
        connect(box, &QGroupBox::toggled, this, [this, index] { rowEdited(index); });
        m_rows.push_back(row);
        return;
    }
    QFormLayout* form = m_forms.value(f.parent.empty() ? fromStd(f.section) : fromStd(f.parent));
    QWidget* parent = form->parentWidget();
    row.form = form;
    m_rows.push_back(row);
    Row& r = m_rows.back();
    QWidget* editor = makeEditor(r, parent);
    if (f.key == "lr")
        editor = withLrFinderButton(editor, parent);
    else if (f.key == "dataset")
        editor = withDatasetButton(editor, parent);
    r.editor = editor;
    if (f.kind == FieldKind::Flag) {
        form->addRow(QString(), editor);
    } else {
        form->addRow(label, editor);
    }
    if (f.key == "arch") {
        auto* info = new QHBoxLayout;
        info->addWidget(m_archInfo, 1);
        info->addWidget(m_layersButton, 0, Qt::AlignTop);
        form->addRow(info);
        form->addRow(m_layers);
    } else if (f.key == "lr") {
        m_lrNote = new QLabel(parent);
        m_lrNote->setObjectName(QStringLiteral("lrNote"));
        m_lrNote->setWordWrap(true);
        m_lrNote->setEnabled(false); // drawn in the muted colour of a disabled label
        form->addRow(QString(), m_lrNote);
    }
}

void ConfigPanel::setLrFinderEnabled(bool enabled, const QString& why)
{
    for (QToolButton* find : findChildren<QToolButton*>(QStringLiteral("findLr"))) {
        find->setEnabled(enabled);
        find->setToolTip(enabled ? find->property("idleToolTip").toString() : why);
    }
}

QWidget* ConfigPanel::withLrFinderButton(QWidget* editor, QWidget* parent)
{
    auto* find = new QToolButton(parent);
    find->setObjectName(QStringLiteral("findLr"));
    find->setText(tr("Find…"));
    find->setToolTip(tr("LR range test: train a throwaway copy of this set-up for up to one epoch with a rising LR, "
                        "and pick the LR where the loss falls fastest"));
    find->setProperty("idleToolTip", find->toolTip());
    connect(find, &QToolButton::clicked, this, [this] { openLrFinder(); });
    auto* box = new QWidget(parent);
    auto* h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(editor, 1);
    h->addWidget(find);
    return box;
}

QWidget* ConfigPanel::withDatasetButton(QWidget* editor, QWidget* parent)
{
    auto* open = new QToolButton(parent);
    open->setObjectName(QStringLiteral("openDataset"));
    open->setText(tr("Open…"));
    open->setToolTip(tr("Open a dataset: a folder of class folders or IDX files, or a CSV file (File ▸ Open "
                        "dataset…); the arrow lists the datasets opened before"));
    open->setPopupMode(QToolButton::MenuButtonPopup);
    auto* recent = new QMenu(open);
    recent->setObjectName(QStringLiteral("recentDatasets"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        const QVector<DatasetChoice> list = m_recentDatasets ? m_recentDatasets() : QVector<DatasetChoice>();
        if (list.isEmpty())
            recent->addAction(tr("(no dataset opened yet)"))->setEnabled(false);
        for (const DatasetChoice& c : list)
            recent->addAction(describeChoice(c), this, [this, c] { Q_EMIT datasetChosen(c.kind, c.path); });
    });
    open->setMenu(recent);
    connect(open, &QToolButton::clicked, this, &ConfigPanel::openDatasetRequested);
    auto* box = new QWidget(parent);
    auto* h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(editor, 1);
    h->addWidget(open);
    return box;
}

LrFinderDialog* ConfigPanel::openLrFinder(qint64 maxIterations)
{
    auto* dialog = new LrFinderDialog(m_config, maxIterations, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString key = dialog->targetField();
    connect(dialog, &LrFinderDialog::lrChosen, this, [this, key](double lr) { setFieldNumber(key, lr); });
    dialog->show();
    return dialog;
}

void ConfigPanel::setFieldNumber(const QString& key, double value)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        auto* number = qobject_cast<NumberEdit*>(m_rows[i].parts.value(0));
        if (fromStd(m_rows[i].field->key) != key || !number)
            continue;
        // As if typed: the row is read back and every other row, the preview and the checks follow.
        number->setValue(value);
        rowEdited(i);
        return;
    }
}

void ConfigPanel::fillArchitectures(QComboBox* combo)
{
    for (const auto& a : architectureSummaries())
        combo->addItem(QStringLiteral("%1  (%2 parameters%3)")
                           .arg(fromStd(a.name), formatCount(a.parameters),
                                a.builtin ? QString() : tr(", yours")),
                       fromStd(a.name));
}

void ConfigPanel::reloadArchitectures()
{
    auto* combo = qobject_cast<QComboBox*>(fieldEditor(QStringLiteral("arch")));
    if (!combo)
        return;
    {
        const QSignalBlocker block(combo);
        combo->clear();
        fillArchitectures(combo);
    }
    setConfig(m_config);
}

QWidget* ConfigPanel::makeEditor(Row& row, QWidget* parent)
{
    const mnist::ConfigField& f = *row.field;
    const QString key = fromStd(f.key);
    const QString tip = fromStd(f.tooltip);
    const int index = m_rows.size() - 1;
    const auto edited = [this, index] { rowEdited(index); };
    QWidget* editor = nullptr;
    switch (f.kind) {
    case FieldKind::Choice: {
        auto* combo = new QComboBox(parent);
        if (f.key == "arch") {
            fillArchitectures(combo);
        } else {
            for (const auto& ch : f.choices)
                combo->addItem(tr(ch.label.c_str()), fromStd(ch.value));
        }
        connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, edited);
        editor = combo;
        break;
    }
    case FieldKind::Text: {
        if (f.key == "device") { // the devices present, and any spelling validate() accepts
            auto* combo = new QComboBox(parent);
            connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, edited);
            editor = combo;
        } else {
            auto* line = new QLineEdit(parent);
            connect(line, &QLineEdit::textEdited, this, edited);
            editor = line;
        }
        break;
    }
    case FieldKind::Path: {
        auto* line = new QLineEdit(parent);
        line->setObjectName(key);
        line->setToolTip(tip);
        connect(line, &QLineEdit::textEdited, this, edited);
        auto* browse = new QToolButton(parent);
        browse->setObjectName(key + QStringLiteral(".browse"));
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(f.fileFilter.empty() ? tr("Choose a folder") : tr("Choose a file"));
        connect(browse, &QToolButton::clicked, this, [this, index] { browseFolder(m_rows[index]); });
        auto* box = new QWidget(parent);
        auto* h = new QHBoxLayout(box);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(line, 1);
        h->addWidget(browse);
        row.parts = {line};
        return box;
    }
    case FieldKind::Integer: {
        auto* spin = new QSpinBox(parent);
        // Out-of-range values can be typed so that the panel can say what is wrong with them.
        spin->setRange(clampToInt(std::min(0.0, f.min)), clampToInt(f.max));
        spin->setGroupSeparatorShown(true);
        spin->setKeyboardTracking(true); // the LR preview follows every keystroke
        if (f.key == "threads")
            spin->setSpecialValueText(tr("automatic (all cores)"));
        connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, edited);
        editor = spin;
        break;
    }
    case FieldKind::Seed: {
        auto* line = new QLineEdit(parent);
        line->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), line));
        connect(line, &QLineEdit::textEdited, this, edited);
        editor = line;
        break;
    }
    case FieldKind::Real: {
        auto* number = new NumberEdit(parent);
        connect(number, &NumberEdit::valueEdited, this, edited);
        editor = number;
        break;
    }
    case FieldKind::Flag: {
        auto* check = new QCheckBox(tr(f.label.c_str()), parent);
        connect(check, &QCheckBox::toggled, this, edited);
        editor = check;
        break;
    }
    case FieldKind::RealPair: {
        auto* box = new QWidget(parent);
        box->setObjectName(key);
        auto* h = new QHBoxLayout(box);
        h->setContentsMargins(0, 0, 0, 0);
        for (const char* end : {"min", "max"}) {
            const bool first = std::string_view(end) == "min";
            // Two separate values (translate's x and y) are labelled; a range reads "low – high".
            if (!f.pairIsRange)
                h->addWidget(new QLabel(first ? QStringLiteral("x") : QStringLiteral("y"), box));
            auto* number = new NumberEdit(box);
            number->setObjectName(key + QLatin1Char('.') + QLatin1String(end));
            number->setToolTip(tip);
            connect(number, &NumberEdit::valueEdited, this, edited);
            row.parts.push_back(number);
            h->addWidget(number);
            if (first && f.pairIsRange)
                h->addWidget(new QLabel(QStringLiteral("–"), box));
        }
        return box;
    }
    case FieldKind::Toggle:
        break;
    }
    editor->setObjectName(key);
    editor->setToolTip(tip);
    row.parts = {editor};
    return editor;
}

void ConfigPanel::addAugmentButtons()
{
    QWidget* group = m_sections.value(QStringLiteral("augment"));
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
        c.augment.crop = c.augment.rotate = c.augment.affine = c.augment.erase = c.augment.normalize = false;
        setConfig(c);
    });
    buttons->addWidget(notebook);
    buttons->addWidget(none);
    buttons->addStretch(1);
    m_forms.value(QStringLiteral("augment"))->addRow(buttons);
}

QWidget* ConfigPanel::fieldEditor(const QString& key) const
{
    for (const Row& r : m_rows)
        if (fromStd(r.field->key) == key)
            return r.parts.value(0);
    return nullptr;
}

void ConfigPanel::setConfig(const mnist::TrainConfig& config)
{
    m_config = config;
    m_parseProblems.clear();
    m_writing = true;
    for (const Row& r : std::as_const(m_rows))
        writeRow(r);
    m_writing = false;
    refresh();
}

void ConfigPanel::fillDevices(const std::string& current)
{
    auto* combo = qobject_cast<QComboBox*>(fieldEditor(QStringLiteral("device")));
    combo->clear();
    combo->addItem(tr("auto (CUDA when present, else CPU)"), QStringLiteral("auto"));
    for (const auto& d : deviceNames())
        combo->addItem(fromStd(d), fromStd(d));
    const QString wanted = fromStd(current);
    if (combo->findData(wanted) < 0)
        combo->addItem(tr("%1 (not present)").arg(wanted), wanted);
    combo->setCurrentIndex(combo->findData(wanted));
}

void ConfigPanel::writeRow(const Row& row)
{
    const mnist::ConfigField& f = *row.field;
    const json v = f.get(m_config);
    QWidget* w = row.parts.value(0);
    switch (f.kind) {
    case FieldKind::Choice:
        setComboData(static_cast<QComboBox*>(w), fromStd(v.get<std::string>()));
        break;
    case FieldKind::Text:
        if (f.key == "device")
            fillDevices(v.get<std::string>());
        else
            static_cast<QLineEdit*>(w)->setText(fromStd(v.get<std::string>()));
        break;
    case FieldKind::Path:
        static_cast<QLineEdit*>(w)->setText(fromStd(v.get<std::string>()));
        break;
    case FieldKind::Integer:
        static_cast<QSpinBox*>(w)->setValue(clampToInt(v.get<double>()));
        break;
    case FieldKind::Seed:
        static_cast<QLineEdit*>(w)->setText(QString::number(v.get<qulonglong>()));
        break;
    case FieldKind::Real:
        static_cast<NumberEdit*>(w)->setValue(v.get<double>());
        break;
    case FieldKind::Flag:
        static_cast<QCheckBox*>(w)->setChecked(v.get<bool>());
        break;
    case FieldKind::Toggle:
        static_cast<QGroupBox*>(w)->setChecked(v.get<bool>());
        break;
    case FieldKind::RealPair:
        static_cast<NumberEdit*>(row.parts[0])->setValue(v[0].get<double>());
        static_cast<NumberEdit*>(row.parts[1])->setValue(v[1].get<double>());
        break;
    }
}

void ConfigPanel::readRow(const Row& row)
{
    const mnist::ConfigField& f = *row.field;
    const QString key = fromStd(f.key);
    const QString subject = fromStd(mnist::fieldSubject(f));
    QWidget* w = row.parts.value(0);
    m_parseProblems.remove(key);
    json v;
    switch (f.kind) {
    case FieldKind::Choice:
    case FieldKind::Text:
        if (auto* combo = qobject_cast<QComboBox*>(w))
            v = combo->currentData().toString().toStdString();
        else
            v = static_cast<QLineEdit*>(w)->text().trimmed().toStdString();
        break;
    case FieldKind::Path:
        v = static_cast<QLineEdit*>(w)->text().trimmed().toStdString();
        break;
    case FieldKind::Integer:
        v = static_cast<QSpinBox*>(w)->value();
        break;
    case FieldKind::Seed: {
        bool ok = false;
        const qulonglong seed = static_cast<QLineEdit*>(w)->text().toULongLong(&ok);
        if (!ok) {
            m_parseProblems.insert(key, tr("%1: '%2' is not a whole number from 0 to 18446744073709551615")
                                            .arg(subject, static_cast<QLineEdit*>(w)->text()));
            return;
        }
        v = static_cast<uint64_t>(seed);
        break;
    }
    case FieldKind::Real:
    case FieldKind::RealPair: {
        v = f.kind == FieldKind::RealPair ? f.get(m_config) : json();
        for (int i = 0; i < row.parts.size(); ++i) {
            auto* number = static_cast<NumberEdit*>(row.parts[i]);
            if (!number->value()) {
                m_parseProblems.insert(key, tr("%1: '%2' is not a number").arg(subject, number->text()));
                return;
            }
            if (f.kind == FieldKind::RealPair)
                v[static_cast<size_t>(i)] = *number->value();
            else
                v = *number->value();
        }
        break;
    }
    case FieldKind::Flag:
        v = static_cast<QCheckBox*>(w)->isChecked();
        break;
    case FieldKind::Toggle:
        v = static_cast<QGroupBox*>(w)->isChecked();
        break;
    }
    f.set(m_config, v);
}

void ConfigPanel::rowEdited(int index)
{
    if (m_writing)
        return;
    const Row& edited = m_rows[index];
    readRow(edited);
    // A network file names its network; the architecture row shows that name.
    if (edited.field->key == "arch_file")
        mnist::nameArchitectureFromFile(m_config);
    // gamma is one field, but each scheduler has its own default: a new scheduler starts from its own.
    if (edited.field->key == "scheduler.type")
        m_config.scheduler.gamma.reset();
    // The other rows show the config (e.g. gamma's default for the scheduler now chosen); the one
    // being typed in, and text that is not a value yet, stay as they are.
    m_writing = true;
    for (const Row& r : std::as_const(m_rows))
        if (&r != &edited && !m_parseProblems.contains(fromStd(r.field->key)))
            writeRow(r);
    m_writing = false;
    refresh();
}

void ConfigPanel::refresh()
{
    for (const Row& r : std::as_const(m_rows)) {
        const bool applies = mnist::fieldApplies(*r.field, m_config);
        // A scheduler's parameters are shown with it only; other fields that do not apply (momentum
        // without SGD) stay in view, greyed, so that the set-up does not jump about.
        if (r.form && r.field->section == "scheduler" && r.field->key != "scheduler.type")
            r.form->setRowVisible(r.editor, applies);
        else if (r.field->kind != FieldKind::Toggle && r.field->parent.empty())
            r.editor->setEnabled(applies);
    }
    const std::string& t = m_config.scheduler.type;
    m_lrNote->setText(t == "cyclic"      ? tr("CyclicLR starts at base_lr; this value is not used.")
                      : t == "one-cycle" ? tr("OneCycleLR starts at max_lr / div_factor; this value is not used.")
                                         : QString());
    m_lrNote->setVisible(t == "cyclic" || t == "one-cycle");
    if (auto* dir = qobject_cast<QLineEdit*>(fieldEditor(QStringLiteral("data_dir"))))
        dir->setPlaceholderText(m_config.dataset == "idx" ? tr("choose a folder")
                                                          : tr("default: data/%1").arg(fromStd(m_config.dataset)));
    updateArchitectureInfo();
    validate();
    Q_EMIT configChanged();
}

void ConfigPanel::updateArchitectureInfo()
{
    // The network the set-up trains: the spec file's when one is given, else the architecture's.
    try {
        const ArchitectureSummary a = summarizeNetwork(mnist::networkSpecFor(m_config));
        const QString text = tr("%1 — %2 trainable parameters")
                                 .arg(fromStd(a.description),
                                      formatCount(a.parameters));
        m_archInfo->setText(m_config.archFile.empty() ? text : tr("%1 (from its file): %2").arg(fromStd(a.name), text));
        m_layers->setPlainText(fromStd(a.layers));
        fieldEditor(QStringLiteral("arch"))->setToolTip(fromStd(a.layers));
    } catch (const std::exception&) {
        // An unknown name or a bad file: validate() shows the problem at its field.
        m_archInfo->setText(QString());
        m_layers->clear();
    }
}

void ConfigPanel::validate()
{
    // Problems keyed by field: each goes to its field's section and marks its widgets.
    QVector<std::pair<QString, QString>> problems; // (field key, message)
    for (auto it = m_parseProblems.cbegin(); it != m_parseProblems.cend(); ++it)
        problems.push_back({it.key(), it.value()});
    for (const auto& p : mnist::fieldProblems(m_config))
        if (!m_parseProblems.contains(fromStd(p.field)))
            problems.push_back({fromStd(p.field), fromStd(p.message)});
    // fieldProblems() checks the device's spelling; whether it is present is known here.
    const std::string& dev = m_config.device;
    if (dev.rfind("cuda", 0) == 0) {
        const auto devices = deviceNames();
        const bool present = dev == "cuda" ? devices.size() > 1
                                           : std::find(devices.begin(), devices.end(), dev) != devices.end();
        if (!present)
            problems.push_back({QStringLiteral("device"),
                                tr("device %1 is not present on this machine (CUDA devices: %2)")
                                    .arg(fromStd(dev), devices.size() > 1 ? QString::number(devices.size() - 1) : tr("none"))});
    }

    for (QWidget* w : std::as_const(m_marked)) {
        w->setToolTip(w->property("normalTip").toString());
        markInvalid(w, false);
    }
    m_marked.clear();
    QMap<QString, QStringList> bySection;
    m_problems.clear();
    for (const auto& [key, message] : std::as_const(problems)) {
        const mnist::ConfigField* f = mnist::findField(key.toStdString());
        bySection[f ? fromStd(f->section) : QStringLiteral("training")] << message;
        for (const Row& r : std::as_const(m_rows)) {
            if (r.field != f)
                continue;
            for (QWidget* w : r.parts) {
                if (m_marked.contains(w))
                    continue;
                w->setProperty("normalTip", w->toolTip());
                w->setToolTip(message);
                markInvalid(w, true);
                m_marked << w;
            }
        }
    }
    for (const auto& s : kSections) {
        const QStringList items = bySection.value(QLatin1String(s.id));
        m_problems += items;
        QStringList lines;
        for (const QString& p : items)
            lines << QStringLiteral("• ") + p;
        QLabel* label = m_problemLabels.value(QLatin1String(s.id));
        label->setText(lines.join(QLatin1Char('\n')));
        label->setVisible(!items.isEmpty());
    }

    const bool valid = m_problems.isEmpty();
    if (valid != m_lastValid) {
        m_lastValid = valid;
        Q_EMIT validityChanged(valid);
    }
    // The preview shows what the schedule would do; it explains an invalid one itself.
    m_lrPreview->setConfig(m_config);
}

void ConfigPanel::browseFolder(const Row& row)
{
    auto* line = static_cast<QLineEdit*>(row.parts.value(0));
    const bool file = !row.field->fileFilter.empty();
    const QString start = !line->text().isEmpty() ? line->text() : file ? QString() : fromStd(dataFolderFor(m_config));
    const QString dir = file ? QFileDialog::getOpenFileName(this, tr(row.field->label.c_str()), start,
                                                            fromStd(row.field->fileFilter))
                             : QFileDialog::getExistingDirectory(this, tr(row.field->label.c_str()), start);
    if (dir.isEmpty())
        return;
    mnist::TrainConfig c = m_config;
    row.field->set(c, dir.toStdString());
    mnist::nameArchitectureFromFile(c);
    // A folder chosen by hand is read as what it holds (class folders, a CSV, IDX files); IDX
    // files when that cannot be told.
    if (row.field->key == "data_dir") {
        const std::string kind = mnist::detectDataKind(dir.toStdString());
        c.dataset = kind.empty() ? "idx" : kind;
    }
    setConfig(c);
}

} // namespace studio
