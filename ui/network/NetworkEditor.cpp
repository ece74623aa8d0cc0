#include "network/NetworkEditor.h"

#include "shared/CoreBridge.h"
#include "network/NetworkSpecModel.h"
#include "shared/QtText.h"
#include "network/SpecEditCommand.h"
#include "shared/StatusStyle.h"
#include "shared/NumberFormat.h"

#include "AtomicFile.h"
#include "spec/SpecEdit.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
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
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace studio {
namespace {

using json = nlohmann::json;
using mnist::LayerLocation;
using mnist::LayerStep;
using mnist::LayerType;
using List = LayerStep::List;

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

// A layer's type as it shows in commands: "Conv2d", or what the file named.
QString typeText(const json* layer)
{
    if (layer && layer->is_object())
        if (auto it = layer->find("type"); it != layer->end() && it->is_string())
            return fromStd(it->get<std::string>());
    return QStringLiteral("?");
}

// The layer beside `where` in its list, `offset` places on.
LayerLocation sibling(LayerLocation where, size_t offset)
{
    where.back().index += offset;
    return where;
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
    m_model = new NetworkSpecModel(this);
    m_undo = new QUndoStack(this);
    // Undo and redo select the layer they change, so a half-typed value is not merged into.
    connect(m_undo, &QUndoStack::indexChanged, this, [this] {
        if (!m_pushing)
            ++m_typingSession;
    });
    buildUi();
    connect(m_model, &NetworkSpecModel::documentChanged, this, &NetworkEditor::documentEdited);
    // New rows and the rows they bring along; rows moved into them later keep their own state.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
        const auto collect = [this](auto&& self, const QModelIndex& row) -> void {
            m_inserted.emplace_back(row);
            for (int r = 0; r < m_model->rowCount(row); ++r)
                self(self, m_model->index(r, 0, row));
        };
        for (int row = first; row <= last; ++row)
            collect(collect, m_model->index(row, 0, parent));
    });
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
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString& t) { networkFieldEdited("name", t); });
    connect(m_description, &QLineEdit::textEdited, this, [this](const QString& t) { networkFieldEdited("description", t); });
    for (QLineEdit* field : {m_name, m_description}) {
        field->installEventFilter(this);
        connect(field, &QLineEdit::editingFinished, this, [this] { ++m_typingSession; });
    }
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
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("layerTree"));
    m_tree->setModel(m_model);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    // Widths are set by fitColumns(): the problem column takes what is left.
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &NetworkEditor::selectionEdited);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &NetworkEditor::selectionEdited);
    // Enter on a layer goes to its form: the keyboard reaches every argument.
    connect(m_tree, &QTreeView::activated, this, [this] {
        if (m_type)
            m_type->setFocus(Qt::OtherFocusReason);
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
    // The list's rows are specProblems() in order.
    connect(m_problemList, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const int row = m_problemList->row(item);
        if (row >= 0 && static_cast<size_t>(row) < specProblems().size() && !specProblems()[static_cast<size_t>(row)].layer.empty())
            selectLayer(specProblems()[static_cast<size_t>(row)].layer);
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
        m_startFrom->addItem(tr("%1  (%2 parameters%3)").arg(fromStd(a.name), formatCount(a.parameters), a.builtin ? QString() : tr(", yours")),
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
    m_undo->clear();
    m_model->setDocument(doc);
    // Start from names what is open, when it is one of the list's.
    if (const int at = m_startFrom->findData(m_name->text()); at >= 0) {
        const QSignalBlocker block(m_startFrom);
        m_startFrom->setCurrentIndex(at);
    }
    m_inserted.clear();
    m_tree->expandAll();
    if (m_model->rowCount() > 0)
        selectLayer({{List::Layers, 0}});
    rebuildForm();
    showProblems();
    updateButtons();
}

bool NetworkEditor::mayDiscardChanges(const QString& question)
{
    return !isModified() || QMessageBox::question(this, tr("Discard changes?"),
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

const json& NetworkEditor::document() const
{
    return m_model->document();
}

const mnist::NetworkSpec& NetworkEditor::spec() const
{
    return m_model->spec();
}

const std::vector<mnist::SpecProblem>& NetworkEditor::specProblems() const
{
    return m_model->problems();
}

bool NetworkEditor::isModified() const
{
    return !m_undo->isClean();
}

int64_t NetworkEditor::classes() const
{
    const json& doc = document();
    return doc.contains("classes") && doc["classes"].is_number_integer() ? doc["classes"].get<int64_t>() : 10;
}

void NetworkEditor::push(const QString& text, std::vector<SpecOperation> ops, std::vector<LayerLocation> after,
                         std::optional<std::pair<LayerLocation, std::string>> typing)
{
    auto* command = new SpecEditCommand(m_model, text, std::move(ops));
    command->setSelection([this](const std::vector<LayerLocation>& layers) { selectLayers(layers); }, selectedLocations(),
                          std::move(after));
    if (typing)
        command->setMergeKey(m_typingSession, std::move(typing->first), std::move(typing->second));
    m_pushing = true;
    m_undo->push(command); // runs it
    m_pushing = false;
}

void NetworkEditor::documentEdited()
{
    syncHeader();
    syncForm();
    showProblems();
    updateButtons();
    updateTotals();
    // New rows show their layers, as a newly opened network does; rows that moved keep their state.
    for (const QPersistentModelIndex& index : m_inserted)
        if (index.isValid())
            m_tree->expand(index);
    m_inserted.clear();
    fitColumns();
    Q_EMIT documentChanged();
    if (isValid() != m_lastValid) {
        m_lastValid = isValid();
        Q_EMIT validityChanged(m_lastValid);
    }
}

void NetworkEditor::selectionEdited()
{
    // Rows leave the selection while an edit removes them; the edit's end shows the result.
    if (m_model->isApplying())
        return;
    syncForm();
    showProblems();
    updateButtons();
}

void NetworkEditor::syncHeader()
{
    const json& doc = document();
    const auto text = [&](const char* key) {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? fromStd(it->get<std::string>()) : QString();
    };
    // Only a value that changed elsewhere (undo, open): the field being typed in keeps its cursor.
    if (m_name->text() != text("name"))
        m_name->setText(text("name"));
    if (m_description->text() != text("description"))
        m_description->setText(text("description"));
}

void NetworkEditor::networkFieldEdited(const std::string& key, const QString& text)
{
    const json& doc = document();
    const std::string value = text.toStdString();
    if (auto it = doc.find(key); it != doc.end() && *it == json(value))
        return;
    push(key == "name" ? tr("Rename network") : tr("Change description"), {SpecOperation::setField(key, json(value))},
         selectedLocations(), std::make_pair(LayerLocation{}, key));
}

void NetworkEditor::updateTotals()
{
    const mnist::NetworkSummary& summary = m_model->summary();
    if (summary.rows.empty() || !isValid()) {
        m_totals->setText(isValid() ? QString() : tr("%n problem(s): the network cannot be trained until they are fixed", nullptr,
                                                     static_cast<int>(specProblems().size())));
    } else {
        m_totals->setText(tr("Total: %1 trainable parameters · %2 multiply-adds per image · input %3 → output %4")
                              .arg(formatCount(summary.parameters), formatCount(summary.multiplyAdds),
                                   fromStd(mnist::formatShape(summary.inputShape)), fromStd(mnist::formatShape(summary.outputShape))));
    }
}

void NetworkEditor::fitColumns()
{
    // The shapes and counts are what the table is for: they always get their width. The layer
    // column gets what its text needs up to what is left beside a problem column of ~15
    // characters; longer arguments are elided (in full in the row's tooltip and the form).
    using Col = NetworkSpecModel::Column;
    int numbers = 0;
    for (int c : {Col::ColKey, Col::ColOutput, Col::ColParameters, Col::ColMultiplyAdds}) {
        m_tree->resizeColumnToContents(c);
        numbers += m_tree->columnWidth(c);
    }
    m_tree->resizeColumnToContents(Col::ColLayer);
    const int room = m_tree->viewport()->width() - numbers - m_tree->fontMetrics().averageCharWidth() * 15;
    const int minimum = m_tree->fontMetrics().averageCharWidth() * 20;
    if (m_tree->columnWidth(Col::ColLayer) > room)
        m_tree->setColumnWidth(Col::ColLayer, std::max(room, minimum));
}

void NetworkEditor::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

bool NetworkEditor::eventFilter(QObject* watched, QEvent* event)
{
    // A line edit keeps Ctrl+Z for its own undo; here the window's Edit ▸ Undo takes back the
    // whole typed value (one command) and anything before it.
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)) {
            event->ignore();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

std::optional<LayerLocation> NetworkEditor::selectedLayer() const
{
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid() || !m_tree->selectionModel()->isRowSelected(current.row(), current.parent()))
        return std::nullopt;
    return m_model->locationOf(current.siblingAtColumn(0));
}

std::vector<LayerLocation> NetworkEditor::selectedLocations() const
{
    std::vector<LayerLocation> layers;
    const auto current = selectedLayer();
    if (current)
        layers.push_back(*current);
    for (const QModelIndex& row : m_tree->selectionModel()->selectedRows())
        if (auto where = m_model->locationOf(row); where && !(current && *where == *current))
            layers.push_back(*where);
    return layers;
}

void NetworkEditor::selectLayer(const LayerLocation& where)
{
    selectLayers({where});
}

void NetworkEditor::selectLayers(const std::vector<LayerLocation>& layers)
{
    if (layers.empty())
        return;
    const QModelIndex first = m_model->indexOf(layers.front());
    if (!first.isValid())
        return;
    // Already so: keep the form (and the field being typed in) as it is.
    std::vector<LayerLocation> now = selectedLocations();
    if (now.size() == layers.size() && now.front() == layers.front() && std::is_permutation(now.begin(), now.end(), layers.begin()))
        return;
    QItemSelection selection;
    for (const LayerLocation& where : layers)
        if (const QModelIndex index = m_model->indexOf(where); index.isValid())
            selection.select(index, index);
    QItemSelectionModel* model = m_tree->selectionModel();
    model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(first);
}

std::vector<LayerLocation> NetworkEditor::selectedRun() const
{
    std::vector<LayerLocation> run;
    for (const QModelIndex& row : m_tree->selectionModel()->selectedRows())
        if (auto where = m_model->locationOf(row))
            run.push_back(*where);
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
    const json& doc = document();
    QModelIndex current = m_tree->currentIndex();
    if (current.isValid() && !m_tree->selectionModel()->isRowSelected(current.row(), current.parent()))
        current = {};
    const auto listSize = [&doc](const LayerLocation& owner, const char* key) -> size_t {
        const json* l = mnist::layerJson(doc, owner);
        return l && l->contains(key) && (*l)[key].is_array() ? (*l)[key].size() : 0;
    };
    LayerLocation where;
    if (!current.isValid()) {
        where = {{List::Layers, doc.contains("layers") && doc["layers"].is_array() ? doc["layers"].size() : 0}};
    } else if (const auto list = m_model->listRowOf(current.siblingAtColumn(0))) { // a Residual's body or shortcut: at its end
        where = *m_model->locationOf(current.parent());
        where.push_back({*list, listSize(where, mnist::layerListKey(*list))});
    } else {
        where = *m_model->locationOf(current.siblingAtColumn(0));
        const mnist::LayerSpec* layer = mnist::findLayer(spec(), where);
        if (layer && layer->type == LayerType::Sequential)
            where.push_back({List::Layers, listSize(where, "layers")});
        else if (layer && layer->type == LayerType::Residual)
            where.push_back({List::Body, listSize(where, "body")});
        else
            where.back().index += 1;
    }
    json layer = mnist::newLayerJson(type, classes());
    json probe = doc;
    if (!mnist::insertLayer(probe, where, layer))
        return false;
    push(tr("Add %1").arg(fromStd(mnist::layerTypeName(type))), {SpecOperation::insertLayer(where, std::move(layer))}, {where});
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
    json after = document();
    std::vector<SpecOperation> ops;
    for (auto it = run.rbegin(); it != run.rend(); ++it) {
        if (!mnist::removeLayer(after, *it))
            return false;
        ops.push_back(SpecOperation::removeLayer(*it));
    }
    // Select what took the first removed layer's place, else the one before it, else the block.
    LayerLocation next = run.front();
    if (!mnist::layerJson(after, next) && next.back().index > 0)
        next.back().index -= 1;
    if (!mnist::layerJson(after, next) && next.size() > 1)
        next.pop_back();
    const QString text = run.size() == 1 ? tr("Remove %1").arg(typeText(mnist::layerJson(document(), run.front())))
                                         : tr("Remove %n layers", nullptr, static_cast<int>(run.size()));
    push(text, std::move(ops), {next});
    return true;
}

bool NetworkEditor::moveSelected(int delta)
{
    const auto where = selectedLayer();
    if (!where)
        return false;
    json probe = document();
    const auto moved = mnist::moveLayer(probe, *where, delta);
    if (!moved)
        return false;
    const QString type = typeText(mnist::layerJson(document(), *where));
    push(delta < 0 ? tr("Move %1 up").arg(type) : tr("Move %1 down").arg(type), {SpecOperation::moveLayer(*where, *moved)}, {*moved});
    return true;
}

bool NetworkEditor::groupSelected(LayerType container)
{
    std::vector<LayerLocation> run = selectedRun();
    if (run.empty())
        return false;
    json probe = document();
    const auto group = mnist::groupLayers(probe, run.front(), run.size(), container);
    if (!group)
        return false;
    // The block as SpecEdit makes it, empty, then the layers moved into it: the rows keep their
    // state, and undo moves them back out.
    const List contents = container == LayerType::Residual ? List::Body : List::Layers;
    json block = *mnist::layerJson(probe, *group);
    block[mnist::layerListKey(contents)] = json::array();
    std::vector<SpecOperation> ops{SpecOperation::insertLayer(*group, std::move(block))};
    for (size_t i = 0; i < run.size(); ++i) {
        LayerLocation into = *group;
        into.push_back({contents, i});
        ops.push_back(SpecOperation::moveLayer(sibling(*group, 1), std::move(into)));
    }
    push(container == LayerType::Residual ? tr("Group into a Residual block") : tr("Group into a Sequential"), std::move(ops), {*group});
    return true;
}

bool NetworkEditor::ungroupSelected()
{
    const auto where = selectedLayer();
    if (!where)
        return false;
    json probe = document();
    if (!mnist::ungroupLayer(probe, *where))
        return false;
    const json* block = mnist::layerJson(document(), *where);
    const List contents = typeText(block) == QLatin1String("Residual") ? List::Body : List::Layers;
    const auto list = block->find(mnist::layerListKey(contents));
    const size_t count = list != block->end() && list->is_array() ? list->size() : 0;
    // Its layers moved out after it, then the empty block removed.
    std::vector<SpecOperation> ops;
    std::vector<LayerLocation> after;
    for (size_t i = 0; i < count; ++i) {
        LayerLocation first = *where;
        first.push_back({contents, 0});
        ops.push_back(SpecOperation::moveLayer(std::move(first), sibling(*where, 1 + i)));
        after.push_back(sibling(*where, i));
    }
    ops.push_back(SpecOperation::removeLayer(*where));
    if (after.empty())
        after.push_back(*where);
    push(tr("Ungroup %1").arg(typeText(block)), std::move(ops), std::move(after));
    return true;
}

void NetworkEditor::rebuildForm()
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_argEdits.clear();
    m_argProblems.clear();
    m_type = nullptr;
    ++m_typingSession;
    const auto where = selectedLayer();
    const json* layer = where ? mnist::layerJson(document(), *where) : nullptr;
    m_formLayer = layer ? where : std::nullopt;
    m_formBox->setEnabled(layer != nullptr);
    if (!layer) {
        m_formType = LayerType::Unknown;
        m_form->addRow(new QLabel(tr("Select a layer to edit its arguments.")));
        return;
    }
    const mnist::LayerSpec* parsed = mnist::findLayer(spec(), *where);
    const LayerType type = parsed ? parsed->type : LayerType::Unknown;
    m_formType = type;

    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("layerType"));
    for (LayerType t : mnist::layerTypes())
        m_type->addItem(fromStd(mnist::layerTypeName(t)), static_cast<int>(t));
    if (type == LayerType::Unknown) {
        m_type->insertItem(0, typeText(layer), -1);
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
        if (key == "type" || NetworkSpecModel::isLayerListKey(key))
            continue;
        auto* edit = new QLineEdit(fromStd(mnist::layerArgumentText(*layer, key)));
        edit->setObjectName(QStringLiteral("arg_") + fromStd(key));
        edit->setPlaceholderText(defaultHint(type, key));
        edit->setToolTip(key == "name" ? tr("Its key in the state_dict; empty: its index in its list")
                                       : tr("PyTorch's %1: an integer, a pair such as [3, 5], a number or true/false; "
                                            "empty: the default")
                                             .arg(fromStd(key)));
        connect(edit, &QLineEdit::textEdited, this, [this, key](const QString& text) { argumentEdited(key, text); });
        connect(edit, &QLineEdit::editingFinished, this, [this] { ++m_typingSession; });
        edit->installEventFilter(this);
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
}

void NetworkEditor::syncForm()
{
    const auto where = selectedLayer();
    const json* layer = where ? mnist::layerJson(document(), *where) : nullptr;
    const mnist::LayerSpec* parsed = layer ? mnist::findLayer(spec(), *where) : nullptr;
    const LayerType type = parsed ? parsed->type : LayerType::Unknown;
    if (!layer || where != m_formLayer || type != m_formType) {
        if (layer || m_formLayer)
            rebuildForm();
        return;
    }
    // The same layer: only values changed elsewhere (undo) go into their fields; a field whose
    // text already means the value (being typed: "3 " for 3) is left alone.
    const auto valueOf = [](const json& j, const std::string& key) -> std::optional<json> {
        auto it = j.find(key);
        return it == j.end() ? std::nullopt : std::optional<json>(*it);
    };
    for (auto& [key, edit] : m_argEdits) {
        json typed = *layer;
        mnist::setLayerArgument(typed, key, edit->text().toStdString());
        if (valueOf(typed, key) != valueOf(*layer, key))
            edit->setText(fromStd(mnist::layerArgumentText(*layer, key)));
    }
}

void NetworkEditor::argumentEdited(const std::string& key, const QString& text)
{
    const auto where = selectedLayer();
    const json* layer = where ? mnist::layerJson(document(), *where) : nullptr;
    if (!layer)
        return;
    json changed = *layer;
    mnist::setLayerArgument(changed, key, text.toStdString());
    if (changed == *layer)
        return;
    push(key == "name" ? tr("Rename layer") : tr("Change %1").arg(fromStd(key)), {SpecOperation::setLayer(*where, std::move(changed))},
         {*where}, std::make_pair(*where, key));
}

void NetworkEditor::typeChosen(int type)
{
    const auto where = selectedLayer();
    const json* layer = where ? mnist::layerJson(document(), *where) : nullptr;
    if (!layer || type < 0)
        return;
    json changed = *layer;
    mnist::setLayerType(changed, static_cast<LayerType>(type), classes());
    if (changed == *layer)
        return;
    push(tr("Change type to %1").arg(fromStd(mnist::layerTypeName(static_cast<LayerType>(type)))),
         {SpecOperation::setLayer(*where, std::move(changed))}, {*where});
}

void NetworkEditor::showProblems()
{
    m_problemList->clear();
    QStringList header;
    for (const mnist::SpecProblem& p : specProblems()) {
        auto* item = new QListWidgetItem(fromStd(p.text()), m_problemList);
        item->setForeground(problemColor());
        if (p.layer.empty() && (p.key == "name" || p.key == "description" || p.path.empty() || p.path == "layers"))
            header << fromStd(p.text());
    }
    m_problemList->setVisible(!specProblems().empty());
    m_headerProblem->setText(header.join(QLatin1Char('\n')));
    m_headerProblem->setVisible(!header.isEmpty());
    markInvalid(m_name, std::any_of(specProblems().begin(), specProblems().end(),
                                  [](const mnist::SpecProblem& p) { return p.layer.empty() && p.key == "name"; }));

    // The selected layer's problems at its fields.
    const auto where = selectedLayer();
    QStringList layerLevel;
    for (auto& [key, label] : m_argProblems) {
        QStringList texts;
        for (const mnist::SpecProblem& p : specProblems())
            if (where && p.layer == *where && p.key == key)
                texts << fromStd(p.message);
        label->setText(texts.join(QLatin1Char('\n')));
        label->setVisible(!texts.isEmpty());
    }
    for (auto& [key, edit] : m_argEdits)
        markInvalid(edit, std::any_of(specProblems().begin(), specProblems().end(), [&](const mnist::SpecProblem& p) {
                      return where && p.layer == *where && p.key == key;
                  }));
    if (where) {
        for (const mnist::SpecProblem& p : specProblems()) {
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
    const mnist::LayerSpec* layer = where ? mnist::findLayer(spec(), *where) : nullptr;
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
        m_save->setToolTip(tr("Keep it among your networks (%1)").arg(fromStd(userNetworkFile(spec().name))));
        m_use->setToolTip(tr("Save it and choose it as the set-up's architecture"));
        m_train->setToolTip(tr("Save it, choose it in the set-up and start training"));
    }
}

bool NetworkEditor::saveToUserNetworks(bool overwrite, QString* error)
{
    if (!isValid()) {
        *error = tr("The network has problems: %1").arg(fromStd(specProblems().front().text()));
        return false;
    }
    const QString path = fromStd(userNetworkFile(spec().name));
    if (!overwrite && QFileInfo::exists(path)) {
        *error = tr("%1 exists already").arg(path);
        return false;
    }
    try {
        saveUserNetwork(spec());
    } catch (const std::exception& e) {
        *error = fromStd(e.what());
        return false;
    }
    m_undo->setClean();
    reloadNetworks();
    return true;
}

void NetworkEditor::askSave(bool andUse, bool train)
{
    if (!isValid())
        return;
    const QString path = fromStd(userNetworkFile(spec().name));
    bool overwrite = false;
    if (QFileInfo::exists(path)) {
        // Saving the network that is open (it was loaded from there) needs no question.
        bool same = false;
        QFile existing(path);
        if (existing.open(QIODevice::ReadOnly))
            same = existing.readAll().toStdString() == mnist::formatNetworkSpec(spec());
        if (!same && QMessageBox::question(this, tr("Replace %1?").arg(fromStd(spec().name)),
                                           tr("Your networks already hold one called %1 (%2). Replace it?")
                                               .arg(fromStd(spec().name), path)) != QMessageBox::Yes)
            return;
        overwrite = true;
    }
    QString error;
    if (!saveToUserNetworks(overwrite, &error)) {
        QMessageBox::warning(this, tr("Cannot save the network"), error);
        return;
    }
    if (andUse)
        Q_EMIT useNetwork(fromStd(spec().name), train);
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
        const std::string text = isValid() ? mnist::formatNetworkSpec(spec()) : document().dump(2) + "\n";
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
