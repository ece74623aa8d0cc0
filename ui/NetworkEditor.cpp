#include "NetworkEditor.h"

#include "NumberFormat.h"
#include "QtText.h"
#include "CoreBridge.h"
#include "StatusStyle.h"

#include "io/AtomicFile.h"
#include "models/SpecEdit.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace studio {
namespace {

using json = nlohmann::json;
using mnist::LayerLocation;
using mnist::LayerStep;
using mnist::LayerType;
using List = LayerStep::List;

enum Column { ColLayer, ColKey, ColOutput, ColParameters, ColMultiplyAdds, ColProblem, ColumnCount };
enum Role { LocationRole = Qt::UserRole, ListRole }; // ListRole: a Residual's body/shortcut row

QString number(int64_t n)
{
    return formatCount(n);
}

// "l0.b1.s2": a location as item data and map key.
QString encode(const LayerLocation& where)
{
    QStringList parts;
    for (const auto& step : where)
        parts << QStringLiteral("%1%2").arg(step.list == List::Layers ? 'l' : step.list == List::Body ? 'b' : 's').arg(step.index);
    return parts.join(QLatin1Char('.'));
}

LayerLocation decode(const QString& text)
{
    LayerLocation where;
    for (const QString& part : text.split(QLatin1Char('.'), Qt::SkipEmptyParts)) {
        const QChar c = part.at(0);
        where.push_back({c == QLatin1Char('b') ? List::Body : c == QLatin1Char('s') ? List::Shortcut : List::Layers,
                         part.mid(1).toULongLong()});
    }
    return where;
}

bool isListKey(const std::string& key)
{
    return key == "layers" || key == "body" || key == "shortcut";
}

// What an empty argument means, from the core's own defaults (a one-layer spec's canonical JSON).
QString defaultHint(LayerType type, const std::string& key)
{
    if (key == "name")
        return QObject::tr("none: its index is its key");
    if (mnist::layerKeyRequired(type, key))
        return QObject::tr("required");
    const std::string text = mnist::layerArgumentDefaultText(type, key);
    if (text.empty())
        return {};
    return QObject::tr("default: %1").arg(fromStd(text));
}

// The arguments shown beside a layer's type in the tree: "out_channels 32, kernel_size 3".
QString argumentSummary(const json& layer)
{
    if (!layer.is_object())
        return {};
    QStringList parts;
    const auto type = layer.find("type");
    LayerType t = LayerType::Unknown;
    if (type != layer.end() && type->is_string())
        mnist::layerTypeFromName(type->get<std::string>(), t);
    // PyTorch's defaults are left out, as its repr does: canonical files spell every argument.
    for (const std::string& key : mnist::layerKeys(t)) {
        if (key == "name" || key == "type" || isListKey(key) || !layer.contains(key))
            continue;
        if (mnist::layerArgumentIsDefault(t, layer, key))
            continue;
        parts << QStringLiteral("%1 %2").arg(fromStd(key), fromStd(mnist::layerArgumentText(layer, key)));
    }
    return parts.join(QStringLiteral(", "));
}

QPushButton* button(const QString& text, const QString& name, const QString& tip)
{
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

} // namespace

NetworkEditor::NetworkEditor(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("networkEditor"));
    buildUi();
    reloadNetworks();
    openEmpty();
}

void NetworkEditor::buildUi()
{
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    m_startFrom = new QComboBox;
    m_startFrom->setObjectName(QStringLiteral("startFrom"));
    m_startFrom->setToolTip(tr("A built-in or saved network to start from, or an empty one"));
    auto* open = button(tr("Open"), QStringLiteral("openNetwork"), tr("Edit the network chosen on the left"));
    connect(open, &QPushButton::clicked, this, &NetworkEditor::startFromChosen);
    auto* importButton = button(tr("Import…"), QStringLiteral("importSpec"), tr("Read a network spec (JSON) file"));
    connect(importButton, &QPushButton::clicked, this, &NetworkEditor::askImport);
    auto* exportButton = button(tr("Export…"), QStringLiteral("exportSpec"), tr("Write this network as a spec (JSON) file"));
    connect(exportButton, &QPushButton::clicked, this, &NetworkEditor::askExport);
    top->addWidget(new QLabel(tr("Start from:")));
    top->addWidget(m_startFrom, 1);
    top->addWidget(open);
    top->addSpacing(12);
    top->addWidget(importButton);
    top->addWidget(exportButton);
    layout->addLayout(top);

    auto* header = new QHBoxLayout;
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("networkName"));
    m_name->setToolTip(tr("The network's name: the set-up's architecture list, run folders and files use it"));
    m_description = new QLineEdit;
    m_description->setObjectName(QStringLiteral("networkDescription"));
    m_description->setPlaceholderText(tr("one line for menus"));
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString& t) {
        m_doc["name"] = t.toStdString();
        edited(false);
    });
    connect(m_description, &QLineEdit::textEdited, this, [this](const QString& t) {
        m_doc["description"] = t.toStdString();
        edited(false);
    });
    header->addWidget(new QLabel(tr("Name:")));
    header->addWidget(m_name, 1);
    header->addWidget(new QLabel(tr("Description:")));
    header->addWidget(m_description, 3);
    layout->addLayout(header);
    m_headerProblem = new QLabel;
    m_headerProblem->setObjectName(QStringLiteral("networkHeaderProblem"));
    markProblem(m_headerProblem, true);
    m_headerProblem->setWordWrap(true);
    m_headerProblem->hide();
    layout->addWidget(m_headerProblem);

    auto* split = new QSplitter(Qt::Horizontal);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_tree = new QTreeWidget;
    m_tree->setObjectName(QStringLiteral("layerTree"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Layer"), tr("Key"), tr("Output"), tr("Parameters"), tr("Multiply-adds"), tr("Problem")});
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    // Widths are set by fitColumns(): the problem column takes what is left.
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, [this] {
        if (m_rebuilding)
            return;
        rebuildForm();
        updateButtons();
    });
    leftLayout->addWidget(m_tree, 1);

    auto* tools = new QHBoxLayout;
    m_add = new QToolButton;
    m_add->setObjectName(QStringLiteral("addLayer"));
    m_add->setText(tr("Add"));
    m_add->setToolTip(tr("Add a layer after the selected one, or inside a selected block (Insert)"));
    m_add->setPopupMode(QToolButton::InstantPopup);
    auto* addMenu = new QMenu(m_add);
    for (LayerType t : mnist::layerTypes()) {
        QAction* a = addMenu->addAction(fromStd(mnist::layerTypeName(t)));
        a->setObjectName(QStringLiteral("add") + fromStd(mnist::layerTypeName(t)));
        connect(a, &QAction::triggered, this, [this, t] { addLayer(t); });
    }
    m_add->setMenu(addMenu);
    m_remove = button(tr("Remove"), QStringLiteral("removeLayer"), tr("Remove the selected layers (Delete)"));
    m_up = button(tr("Up"), QStringLiteral("moveLayerUp"), tr("Move the layer up; at the top of a block, out of it (Ctrl+Up)"));
    m_down = button(tr("Down"), QStringLiteral("moveLayerDown"), tr("Move the layer down; at the bottom of a block, out of it (Ctrl+Down)"));
    m_group = new QToolButton;
    m_group->setObjectName(QStringLiteral("groupLayers"));
    m_group->setText(tr("Group"));
    m_group->setToolTip(tr("Put the selected consecutive layers into a Sequential (Ctrl+G) or a Residual block (Ctrl+R)"));
    m_group->setPopupMode(QToolButton::InstantPopup);
    auto* groupMenu = new QMenu(m_group);
    groupMenu->addAction(tr("Into a Sequential"), this, [this] { groupSelected(LayerType::Sequential); });
    groupMenu->addAction(tr("Into a Residual block"), this, [this] { groupSelected(LayerType::Residual); });
    m_group->setMenu(groupMenu);
    m_ungroup = button(tr("Ungroup"), QStringLiteral("ungroupLayer"), tr("Replace the selected block by its layers (Ctrl+Shift+G)"));
    connect(m_remove, &QPushButton::clicked, this, &NetworkEditor::removeSelected);
    connect(m_up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveSelected(+1); });
    connect(m_ungroup, &QPushButton::clicked, this, &NetworkEditor::ungroupSelected);
    for (QWidget* w : std::initializer_list<QWidget*>{m_add, m_remove, m_up, m_down, m_group, m_ungroup})
        tools->addWidget(w);
    tools->addStretch(1);
    leftLayout->addLayout(tools);

    // Keys on the tree: the buttons' actions without the mouse.
    const auto key = [this](const QKeySequence& seq, auto fn) {
        auto* a = new QAction(m_tree);
        a->setShortcut(seq);
        a->setShortcutContext(Qt::WidgetShortcut);
        connect(a, &QAction::triggered, this, fn);
        m_tree->addAction(a);
    };
    key(QKeySequence::Delete, [this] { removeSelected(); });
    key(QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveSelected(-1); });
    key(QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveSelected(+1); });
    key(QKeySequence(Qt::CTRL | Qt::Key_G), [this] { groupSelected(LayerType::Sequential); });
    key(QKeySequence(Qt::CTRL | Qt::Key_R), [this] { groupSelected(LayerType::Residual); });
    key(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G), [this] { ungroupSelected(); });
    key(QKeySequence(Qt::Key_Insert), [this] { m_add->showMenu(); });

    m_totals = new QLabel;
    m_totals->setObjectName(QStringLiteral("networkTotals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    leftLayout->addWidget(m_totals);
    m_problemList = new QListWidget;
    m_problemList->setObjectName(QStringLiteral("networkProblems"));
    m_problemList->setMaximumHeight(110);
    m_problemList->setToolTip(tr("Every problem of the spec; click one to select its layer"));
    connect(m_problemList, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const QString where = item->data(LocationRole).toString();
        if (!where.isEmpty())
            selectLayer(decode(where));
    });
    connect(m_problemList, &QListWidget::itemClicked, m_problemList, &QListWidget::itemActivated);
    leftLayout->addWidget(m_problemList);
    split->addWidget(left);

    auto* box = new QGroupBox(tr("Layer"));
    m_formBox = box;
    auto* boxLayout = new QVBoxLayout(box);
    m_form = new QFormLayout;
    boxLayout->addLayout(m_form);
    m_layerProblem = new QLabel;
    m_layerProblem->setObjectName(QStringLiteral("layerProblem"));
    markProblem(m_layerProblem, true);
    m_layerProblem->setWordWrap(true);
    boxLayout->addWidget(m_layerProblem);
    boxLayout->addStretch(1);
    split->addWidget(box);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    auto* bottom = new QHBoxLayout;
    m_save = button(tr("Save to my networks"), QStringLiteral("saveNetwork"),
                    tr("Keep it among your networks (%1), where the set-up's architecture list finds it")
                        .arg(fromStd(userNetworkFile("NAME"))));
    m_use = button(tr("Use in set-up"), QStringLiteral("useNetwork"), tr("Save it and choose it as the set-up's architecture"));
    m_train = button(tr("Train"), QStringLiteral("trainNetwork"), tr("Save it, choose it in the set-up and start training"));
    connect(m_save, &QPushButton::clicked, this, [this] { askSave(false, false); });
    connect(m_use, &QPushButton::clicked, this, [this] { askSave(true, false); });
    connect(m_train, &QPushButton::clicked, this, [this] { askSave(true, true); });
    bottom->addStretch(1);
    bottom->addWidget(m_save);
    bottom->addWidget(m_use);
    bottom->addWidget(m_train);
    layout->addLayout(bottom);
}

void NetworkEditor::reloadNetworks()
{
    const QString current = m_startFrom->currentData().toString();
    m_startFrom->clear();
    m_startFrom->addItem(tr("Empty network"), QString());
    for (const auto& a : architectureSummaries())
        m_startFrom->addItem(tr("%1  (%2 parameters%3)").arg(fromStd(a.name), number(a.parameters), a.builtin ? QString() : tr(", yours")),
                             fromStd(a.name));
    const int at = m_startFrom->findData(current);
    m_startFrom->setCurrentIndex(at < 0 ? 0 : at);
}

void NetworkEditor::openEmpty()
{
    openDocument(mnist::emptyNetworkJson("MyNet"));
}

void NetworkEditor::openSpec(const mnist::NetworkSpec& spec)
{
    openDocument(mnist::toJson(spec));
}

void NetworkEditor::openDocument(const json& doc)
{
    m_doc = doc.is_object() ? doc : mnist::emptyNetworkJson("MyNet");
    m_name->setText(fromStd(m_doc.value("name", json("")).is_string() ? m_doc["name"].get<std::string>() : std::string()));
    m_description->setText(m_doc.contains("description") && m_doc["description"].is_string()
                               ? fromStd(m_doc["description"].get<std::string>())
                               : QString());
    // Start from names what is open, when it is one of the list's.
    if (const int at = m_startFrom->findData(m_name->text()); at >= 0) {
        const QSignalBlocker block(m_startFrom);
        m_startFrom->setCurrentIndex(at);
    }
    m_tree->clearSelection();
    edited();
    m_modified = false;
    m_tree->expandAll();
    if (m_tree->topLevelItemCount() > 0)
        m_tree->setCurrentItem(m_tree->topLevelItem(0));
}

bool NetworkEditor::mayDiscardChanges(const QString& question)
{
    return !m_modified || QMessageBox::question(this, tr("Discard changes?"),
                                                tr("%1 has changes that are not saved. %2").arg(m_name->text(), question)) ==
                              QMessageBox::Yes;
}

void NetworkEditor::startFromChosen()
{
    if (!mayDiscardChanges(tr("Open another network instead?")))
        return;
    const QString name = m_startFrom->currentData().toString();
    if (name.isEmpty()) {
        openEmpty();
        return;
    }
    for (const auto& a : architectureSummaries())
        if (fromStd(a.name) == name)
            openSpec(a.spec);
}

void NetworkEditor::edited(bool rebuildForm)
{
    m_modified = true;
    analyze();
    rebuildTree();
    if (rebuildForm)
        this->rebuildForm();
    showProblems();
    updateButtons();
    Q_EMIT documentChanged();
    if (isValid() != m_lastValid) {
        m_lastValid = isValid();
        Q_EMIT validityChanged(m_lastValid);
    }
}

void NetworkEditor::analyze()
{
    m_problems.clear();
    m_spec = mnist::parseNetworkSpec(m_doc, m_problems);
}

QTreeWidgetItem* NetworkEditor::itemFor(const LayerLocation& where) const
{
    const QString key = encode(where);
    QTreeWidgetItemIterator it(m_tree);
    for (; *it; ++it)
        if ((*it)->data(ColLayer, LocationRole).toString() == key && !(*it)->data(ColLayer, ListRole).isValid())
            return *it;
    return nullptr;
}

void NetworkEditor::rebuildTree()
{
    // Keep the selection and the scroll position across a rebuild: the tree is rebuilt on every key.
    QStringList selected;
    for (QTreeWidgetItem* item : m_tree->selectedItems())
        selected << item->data(ColLayer, LocationRole).toString() + item->data(ColLayer, ListRole).toString();
    const QString current = m_tree->currentItem() ? m_tree->currentItem()->data(ColLayer, LocationRole).toString() +
                                                        m_tree->currentItem()->data(ColLayer, ListRole).toString()
                                                  : QString();
    m_rebuilding = true;
    m_tree->clear();
    const mnist::NetworkSummary summary = mnist::analyzeNetwork(m_spec);
    std::map<QString, QTreeWidgetItem*> byLocation;
    std::map<QString, QTreeWidgetItem*> lists; // "location|b" -> a Residual's body/shortcut row
    const auto listItem = [&](const LayerLocation& owner, List list) -> QTreeWidgetItem* {
        const QString key = encode(owner) + QLatin1Char('|') + (list == List::Body ? 'b' : 's');
        auto it = lists.find(key);
        return it == lists.end() ? nullptr : it->second;
    };
    for (const mnist::LayerRow& row : summary.rows) {
        QTreeWidgetItem* parent = nullptr;
        if (row.layer.size() > 1) {
            const LayerLocation owner(row.layer.begin(), row.layer.end() - 1);
            parent = row.layer.back().list == List::Layers ? byLocation[encode(owner)] : listItem(owner, row.layer.back().list);
        }
        auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
        const json* layer = mnist::layerJson(m_doc, row.layer);
        const QString args = layer ? argumentSummary(*layer) : QString();
        const QString type = row.type == LayerType::Unknown && layer && layer->contains("type") && (*layer)["type"].is_string()
                                 ? fromStd((*layer)["type"].get<std::string>())
                                 : fromStd(mnist::layerTypeName(row.type));
        item->setText(ColLayer, args.isEmpty() ? type : type + QStringLiteral("  ") + args);
        item->setToolTip(ColLayer, item->text(ColLayer));
        item->setText(ColKey, fromStd(row.prefix));
        item->setText(ColOutput, row.shapeKnown ? fromStd(mnist::formatShape(row.outputShape)) : QStringLiteral("?"));
        item->setText(ColParameters, row.shapeKnown ? number(row.parameters) : QString());
        item->setText(ColMultiplyAdds, row.shapeKnown ? number(row.multiplyAdds) : QString());
        for (int c : {ColParameters, ColMultiplyAdds})
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(ColLayer, LocationRole, encode(row.layer));
        byLocation[encode(row.layer)] = item;
        if (row.type == LayerType::Residual) {
            for (List list : {List::Body, List::Shortcut}) {
                auto* sub = new QTreeWidgetItem(item);
                const bool identity = list == List::Shortcut && (!layer || !layer->contains("shortcut") ||
                                                                 !(*layer)["shortcut"].is_array() ||
                                                                 (*layer)["shortcut"].empty());
                sub->setText(ColLayer, list == List::Body ? tr("body") : identity ? tr("shortcut: identity (add a layer to project)") : tr("shortcut"));
                sub->setData(ColLayer, LocationRole, encode(row.layer));
                sub->setData(ColLayer, ListRole, list == List::Body ? QStringLiteral("b") : QStringLiteral("s"));
                QFont f = sub->font(ColLayer);
                f.setItalic(true);
                sub->setFont(ColLayer, f);
                lists[encode(row.layer) + QLatin1Char('|') + (list == List::Body ? 'b' : 's')] = sub;
            }
        }
    }
    // Problems at their layers.
    for (const mnist::SpecProblem& p : m_problems) {
        if (p.layer.empty())
            continue;
        auto it = byLocation.find(encode(p.layer));
        if (it == byLocation.end())
            continue;
        QTreeWidgetItem* item = it->second;
        const QString text = fromStd(p.key.empty() ? p.message : p.key + ": " + p.message);
        if (item->text(ColProblem).isEmpty())
            item->setText(ColProblem, text);
        item->setToolTip(ColProblem, item->toolTip(ColProblem).isEmpty() ? text : item->toolTip(ColProblem) + QLatin1Char('\n') + text);
        for (int c = 0; c < ColumnCount; ++c)
            item->setForeground(c, problemColor());
    }
    m_tree->expandAll();
    QTreeWidgetItemIterator it(m_tree);
    for (; *it; ++it) {
        const QString key = (*it)->data(ColLayer, LocationRole).toString() + (*it)->data(ColLayer, ListRole).toString();
        if (key == current)
            m_tree->setCurrentItem(*it, 0, QItemSelectionModel::NoUpdate);
        if (selected.contains(key))
            (*it)->setSelected(true);
    }
    m_rebuilding = false;
    fitColumns();

    if (summary.rows.empty() || !isValid()) {
        m_totals->setText(isValid() ? QString() : tr("%n problem(s): the network cannot be trained until they are fixed", nullptr,
                                                     static_cast<int>(m_problems.size())));
    } else {
        m_totals->setText(tr("Total: %1 trainable parameters · %2 multiply-adds per image · input %3 → output %4")
                              .arg(number(summary.parameters), number(summary.multiplyAdds),
                                   fromStd(mnist::formatShape(summary.inputShape)), fromStd(mnist::formatShape(summary.outputShape))));
    }
}

void NetworkEditor::fitColumns()
{
    // The shapes and counts are what the table is for: they always get their width. The layer
    // column gets what its text needs up to what is left beside a problem column of ~15
    // characters; longer arguments are elided (in full in the row's tooltip and the form).
    int numbers = 0;
    for (int c : {ColKey, ColOutput, ColParameters, ColMultiplyAdds}) {
        m_tree->resizeColumnToContents(c);
        numbers += m_tree->columnWidth(c);
    }
    m_tree->resizeColumnToContents(ColLayer);
    const int room = m_tree->viewport()->width() - numbers - m_tree->fontMetrics().averageCharWidth() * 15;
    const int minimum = m_tree->fontMetrics().averageCharWidth() * 20;
    if (m_tree->columnWidth(ColLayer) > room)
        m_tree->setColumnWidth(ColLayer, std::max(room, minimum));
}

void NetworkEditor::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

std::optional<LayerLocation> NetworkEditor::selectedLayer() const
{
    QTreeWidgetItem* item = m_tree->currentItem();
    if (!item || item->data(ColLayer, ListRole).isValid() || !item->isSelected())
        return std::nullopt;
    return decode(item->data(ColLayer, LocationRole).toString());
}

void NetworkEditor::selectLayer(const LayerLocation& where)
{
    QTreeWidgetItem* item = itemFor(where);
    if (!item)
        return;
    m_tree->clearSelection();
    m_tree->setCurrentItem(item);
    item->setSelected(true);
    m_tree->scrollToItem(item);
}

std::vector<LayerLocation> NetworkEditor::selectedRun() const
{
    std::vector<LayerLocation> run;
    for (QTreeWidgetItem* item : m_tree->selectedItems())
        if (!item->data(ColLayer, ListRole).isValid())
            run.push_back(decode(item->data(ColLayer, LocationRole).toString()));
    if (run.empty())
        return run;
    std::sort(run.begin(), run.end(), [](const LayerLocation& a, const LayerLocation& b) { return a.back().index < b.back().index; });
    const LayerLocation parent(run[0].begin(), run[0].end() - 1);
    for (size_t i = 0; i < run.size(); ++i) {
        const LayerLocation p(run[i].begin(), run[i].end() - 1);
        if (!(p == parent) || run[i].back().list != run[0].back().list || run[i].back().index != run[0].back().index + i)
            return {};
    }
    return run;
}

bool NetworkEditor::addLayer(LayerType type)
{
    const int64_t classes = m_doc.contains("classes") && m_doc["classes"].is_number_integer() ? m_doc["classes"].get<int64_t>() : 10;
    LayerLocation where;
    QTreeWidgetItem* item = m_tree->currentItem();
    if (item && !item->isSelected())
        item = nullptr;
    const auto listSize = [this](const LayerLocation& owner, const char* key) -> size_t {
        const json* l = mnist::layerJson(m_doc, owner);
        return l && l->contains(key) && (*l)[key].is_array() ? (*l)[key].size() : 0;
    };
    if (!item) {
        where = {{List::Layers, m_doc.contains("layers") && m_doc["layers"].is_array() ? m_doc["layers"].size() : 0}};
    } else {
        const LayerLocation at = decode(item->data(ColLayer, LocationRole).toString());
        const QString list = item->data(ColLayer, ListRole).toString();
        const mnist::LayerSpec* layer = mnist::findLayer(m_spec, at);
        if (!list.isEmpty()) { // a Residual's body or shortcut row: at its end
            const List l = list == QLatin1String("b") ? List::Body : List::Shortcut;
            where = at;
            where.push_back({l, listSize(at, mnist::layerListKey(l))});
        } else if (layer && layer->type == LayerType::Sequential) {
            where = at;
            where.push_back({List::Layers, listSize(at, "layers")});
        } else if (layer && layer->type == LayerType::Residual) {
            where = at;
            where.push_back({List::Body, listSize(at, "body")});
        } else {
            where = at;
            where.back().index += 1;
        }
    }
    if (!mnist::insertLayer(m_doc, where, mnist::newLayerJson(type, classes)))
        return false;
    edited();
    selectLayer(where);
    return true;
}

bool NetworkEditor::removeSelected()
{
    std::vector<LayerLocation> run = selectedRun();
    if (run.empty()) {
        if (auto one = selectedLayer())
            run.push_back(*one);
    }
    if (run.empty())
        return false;
    for (auto it = run.rbegin(); it != run.rend(); ++it)
        mnist::removeLayer(m_doc, *it);
    edited();
    // Select what took the first removed layer's place, else the one before it, else the block.
    LayerLocation next = run.front();
    if (!itemFor(next) && next.back().index > 0)
        next.back().index -= 1;
    if (!itemFor(next) && next.size() > 1)
        next.pop_back();
    selectLayer(next);
    return true;
}

bool NetworkEditor::moveSelected(int delta)
{
    const auto where = selectedLayer();
    if (!where)
        return false;
    const auto moved = mnist::moveLayer(m_doc, *where, delta);
    if (!moved)
        return false;
    edited();
    selectLayer(*moved);
    return true;
}

bool NetworkEditor::groupSelected(LayerType container)
{
    std::vector<LayerLocation> run = selectedRun();
    if (run.empty())
        return false;
    const auto group = mnist::groupLayers(m_doc, run.front(), run.size(), container);
    if (!group)
        return false;
    edited();
    selectLayer(*group);
    return true;
}

bool NetworkEditor::ungroupSelected()
{
    const auto where = selectedLayer();
    if (!where)
        return false;
    const auto first = mnist::ungroupLayer(m_doc, *where);
    if (!first)
        return false;
    edited();
    selectLayer(*first);
    return true;
}

void NetworkEditor::rebuildForm()
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_argEdits.clear();
    m_argProblems.clear();
    m_type = nullptr;
    const auto where = selectedLayer();
    const json* layer = where ? mnist::layerJson(m_doc, *where) : nullptr;
    m_formBox->setEnabled(layer != nullptr);
    if (!layer) {
        m_form->addRow(new QLabel(tr("Select a layer to edit its arguments.")));
        showProblems();
        return;
    }
    const mnist::LayerSpec* spec = mnist::findLayer(m_spec, *where);
    const LayerType type = spec ? spec->type : LayerType::Unknown;

    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("layerType"));
    for (LayerType t : mnist::layerTypes())
        m_type->addItem(fromStd(mnist::layerTypeName(t)), static_cast<int>(t));
    if (type == LayerType::Unknown) {
        const std::string typed = layer->contains("type") && (*layer)["type"].is_string() ? (*layer)["type"].get<std::string>() : "?";
        m_type->insertItem(0, fromStd(typed), -1);
        m_type->setCurrentIndex(0);
    } else {
        m_type->setCurrentIndex(m_type->findData(static_cast<int>(type)));
    }
    // Queued: the new type rebuilds this form, and the combo must not be deleted in its own signal.
    connect(m_type, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const int chosen = m_type->itemData(index).toInt();
        QMetaObject::invokeMethod(this, [this, chosen] { typeChosen(chosen); }, Qt::QueuedConnection);
    });
    m_form->addRow(tr("Type"), m_type);

    for (const std::string& key : mnist::layerKeys(type)) {
        if (key == "type" || isListKey(key))
            continue;
        auto* edit = new QLineEdit(fromStd(mnist::layerArgumentText(*layer, key)));
        edit->setObjectName(QStringLiteral("arg_") + fromStd(key));
        edit->setPlaceholderText(defaultHint(type, key));
        edit->setToolTip(key == "name" ? tr("Its key in the state_dict; empty: its index in its list")
                                       : tr("PyTorch's %1: an integer, a pair such as [3, 5], a number or true/false; "
                                            "empty: the default")
                                             .arg(fromStd(key)));
        connect(edit, &QLineEdit::textEdited, this, [this, key](const QString& text) { argumentEdited(key, text); });
        auto* problem = new QLabel;
        markProblem(problem, true);
        problem->setObjectName(QStringLiteral("problem_") + fromStd(key));
        problem->setWordWrap(true);
        problem->hide();
        auto* cell = new QWidget;
        auto* cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->addWidget(edit);
        cellLayout->addWidget(problem);
        m_form->addRow(fromStd(key), cell);
        m_argEdits.emplace_back(key, edit);
        m_argProblems.emplace_back(key, problem);
    }
    if (type == LayerType::Sequential || type == LayerType::Residual)
        m_form->addRow(new QLabel(type == LayerType::Sequential
                                      ? tr("Add layers inside it with Add while it is selected.")
                                      : tr("Add layers to its body or shortcut by selecting that row, then Add.")));
    showProblems();
}

void NetworkEditor::argumentEdited(const std::string& key, const QString& text)
{
    const auto where = selectedLayer();
    json* layer = where ? mnist::layerJson(m_doc, *where) : nullptr;
    if (!layer)
        return;
    mnist::setLayerArgument(*layer, key, text.toStdString());
    edited(false);
}

void NetworkEditor::typeChosen(int type)
{
    const auto where = selectedLayer();
    json* layer = where ? mnist::layerJson(m_doc, *where) : nullptr;
    if (!layer || type < 0)
        return;
    const int64_t classes = m_doc.value("classes", json(10)).is_number_integer() ? m_doc["classes"].get<int64_t>() : 10;
    mnist::setLayerType(*layer, static_cast<LayerType>(type), classes);
    edited();
}

void NetworkEditor::showProblems()
{
    m_problemList->clear();
    QStringList header;
    for (const mnist::SpecProblem& p : m_problems) {
        auto* item = new QListWidgetItem(fromStd(p.text()), m_problemList);
        item->setForeground(problemColor());
        if (!p.layer.empty())
            item->setData(LocationRole, encode(p.layer));
        if (p.layer.empty() && (p.key == "name" || p.key == "description" || p.path.empty() || p.path == "layers"))
            header << fromStd(p.text());
    }
    m_problemList->setVisible(!m_problems.empty());
    m_headerProblem->setText(header.join(QLatin1Char('\n')));
    m_headerProblem->setVisible(!header.isEmpty());
    markInvalid(m_name, std::any_of(m_problems.begin(), m_problems.end(),
                                  [](const mnist::SpecProblem& p) { return p.layer.empty() && p.key == "name"; }));

    // The selected layer's problems at its fields.
    const auto where = selectedLayer();
    QStringList layerLevel;
    for (auto& [key, label] : m_argProblems) {
        QStringList texts;
        for (const mnist::SpecProblem& p : m_problems)
            if (where && p.layer == *where && p.key == key)
                texts << fromStd(p.message);
        label->setText(texts.join(QLatin1Char('\n')));
        label->setVisible(!texts.isEmpty());
    }
    for (auto& [key, edit] : m_argEdits)
        markInvalid(edit, std::any_of(m_problems.begin(), m_problems.end(), [&](const mnist::SpecProblem& p) {
                      return where && p.layer == *where && p.key == key;
                  }));
    if (where) {
        for (const mnist::SpecProblem& p : m_problems) {
            if (!(p.layer == *where))
                continue;
            const bool atField = std::any_of(m_argEdits.begin(), m_argEdits.end(), [&](const auto& e) { return e.first == p.key; });
            if (!atField)
                layerLevel << fromStd(p.key.empty() ? p.message : p.key + ": " + p.message);
        }
    }
    m_layerProblem->setText(layerLevel.join(QLatin1Char('\n')));
    m_layerProblem->setVisible(!layerLevel.isEmpty());
}

void NetworkEditor::updateButtons()
{
    const auto where = selectedLayer();
    const mnist::LayerSpec* layer = where ? mnist::findLayer(m_spec, *where) : nullptr;
    m_remove->setEnabled(where.has_value() || !selectedRun().empty());
    m_up->setEnabled(where.has_value());
    m_down->setEnabled(where.has_value());
    m_group->setEnabled(!selectedRun().empty());
    m_ungroup->setEnabled(layer && mnist::isContainer(layer->type));
    const bool valid = isValid();
    for (QPushButton* b : {m_save, m_use, m_train}) {
        b->setEnabled(valid);
        if (!valid)
            b->setToolTip(tr("Fix the problems listed first"));
    }
    if (valid) {
        m_save->setToolTip(tr("Keep it among your networks (%1)").arg(fromStd(userNetworkFile(m_spec.name))));
        m_use->setToolTip(tr("Save it and choose it as the set-up's architecture"));
        m_train->setToolTip(tr("Save it, choose it in the set-up and start training"));
    }
}

bool NetworkEditor::saveToUserNetworks(bool overwrite, QString* error)
{
    if (!isValid()) {
        *error = tr("The network has problems: %1").arg(fromStd(m_problems.front().text()));
        return false;
    }
    const QString path = fromStd(userNetworkFile(m_spec.name));
    if (!overwrite && QFileInfo::exists(path)) {
        *error = tr("%1 exists already").arg(path);
        return false;
    }
    try {
        saveUserNetwork(m_spec);
    } catch (const std::exception& e) {
        *error = fromStd(e.what());
        return false;
    }
    m_modified = false;
    reloadNetworks();
    return true;
}

void NetworkEditor::askSave(bool andUse, bool train)
{
    if (!isValid())
        return;
    const QString path = fromStd(userNetworkFile(m_spec.name));
    bool overwrite = false;
    if (QFileInfo::exists(path)) {
        // Saving the network that is open (it was loaded from there) needs no question.
        bool same = false;
        QFile existing(path);
        if (existing.open(QIODevice::ReadOnly))
            same = existing.readAll().toStdString() == mnist::formatNetworkSpec(m_spec);
        if (!same && QMessageBox::question(this, tr("Replace %1?").arg(fromStd(m_spec.name)),
                                           tr("Your networks already hold one called %1 (%2). Replace it?")
                                               .arg(fromStd(m_spec.name), path)) != QMessageBox::Yes)
            return;
        overwrite = true;
    }
    QString error;
    if (!saveToUserNetworks(overwrite, &error)) {
        QMessageBox::warning(this, tr("Cannot save the network"), error);
        return;
    }
    if (andUse)
        Q_EMIT useNetwork(fromStd(m_spec.name), train);
}

bool NetworkEditor::importFile(const QString& path, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    const QByteArray bytes = f.readAll();
    json doc = json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        std::vector<mnist::SpecProblem> problems;
        mnist::parseNetworkSpecText(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())), problems);
        *error = tr("%1 is not a network spec: %2")
                     .arg(path, problems.empty() ? tr("not a JSON object") : fromStd(problems.front().text()));
        return false;
    }
    openDocument(doc);
    return true;
}

bool NetworkEditor::openNetwork(const QString& nameOrFile, QString* error)
{
    for (const auto& a : architectureSummaries())
        if (fromStd(a.name) == nameOrFile) {
            openSpec(a.spec);
            return true;
        }
    if (!QFileInfo(nameOrFile).isFile()) {
        *error = tr("%1 is neither a network (see mnist-train --list-archs) nor a spec file").arg(nameOrFile);
        return false;
    }
    return importFile(nameOrFile, error);
}

bool NetworkEditor::exportFile(const QString& path, QString* error)
{
    try {
        const std::string text = isValid() ? mnist::formatNetworkSpec(m_spec) : m_doc.dump(2) + "\n";
        mnist::writeFileAtomically(path.toStdString(), [&](std::ostream& out) { out << text; });
    } catch (const std::exception& e) {
        *error = fromStd(e.what());
        return false;
    }
    return true;
}

void NetworkEditor::askImport()
{
    if (!mayDiscardChanges(tr("Import another network instead?")))
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Import a network spec"), QString(), tr("Network specs (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!importFile(path, &error))
        QMessageBox::warning(this, tr("Cannot import"), error);
}

void NetworkEditor::askExport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the network spec"), m_name->text() + QStringLiteral(".json"),
                                                      tr("Network specs (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportFile(path, &error))
        QMessageBox::warning(this, tr("Cannot export"), error);
    else if (!isValid())
        QMessageBox::information(this, tr("Exported with problems"),
                                 tr("%1 was written as it stands; it has problems, so it cannot be trained until they are fixed.").arg(path));
}

} // namespace studio
