#include "network/NetworkSpecModel.h"

#include "shared/NumberFormat.h"
#include "shared/QtText.h"
#include "shared/StatusStyle.h"

#include "spec/SpecEdit.h"

#include <QFont>
#include <QStringList>

#include <algorithm>
#include <map>
#include <tuple>

namespace studio {
namespace {

using json = nlohmann::json;
using mnist::LayerLocation, mnist::LayerStep, mnist::LayerType;
using List = LayerStep::List;

// The type a layer's JSON names; Unknown for anything else (the parser reports it).
LayerType typeOf(const json& layer)
{
    LayerType t = LayerType::Unknown;
    if (layer.is_object())
        if (auto it = layer.find("type"); it != layer.end() && it->is_string())
            mnist::layerTypeFromName(it->get<std::string>(), t);
    return t;
}

// What decides a layer's rows below it: its kind of container and its lists. Two layers with the
// same shape differ only in what their own row shows.
json rowShape(const json& layer)
{
    const LayerType t = typeOf(layer);
    if (!mnist::isContainer(t))
        return nullptr;
    json shape = json::array({mnist::layerTypeName(t)});
    const auto lists = t == LayerType::Residual ? std::initializer_list<List>{List::Body, List::Shortcut}
                                                : std::initializer_list<List>{List::Layers};
    for (List l : lists) {
        auto it = layer.find(mnist::layerListKey(l));
        shape.push_back(it != layer.end() && it->is_array() ? *it : json());
    }
    return shape;
}

// The arguments shown beside a layer's type: "out_channels 32, kernel_size 3". PyTorch's defaults
// are left out, as its repr does (canonical files spell every argument).
QString argumentSummary(const json& layer)
{
    if (!layer.is_object())
        return {};
    const LayerType t = typeOf(layer);
    QStringList parts;
    for (const std::string& key : mnist::layerKeys(t)) {
        if (key == "name" || key == "type" || NetworkSpecModel::isLayerListKey(key) || !layer.contains(key))
            continue;
        if (mnist::layerArgumentIsDefault(t, layer, key))
            continue;
        parts << QStringLiteral("%1 %2").arg(fromStd(key), fromStd(mnist::layerArgumentText(layer, key)));
    }
    return parts.join(QStringLiteral(", "));
}

struct LocationLess {
    bool operator()(const LayerLocation& a, const LayerLocation& b) const
    {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](const LayerStep& x, const LayerStep& y) {
            return std::tie(x.list, x.index) < std::tie(y.list, y.index);
        });
    }
};

} // namespace

struct NetworkSpecModel::Node {
    enum class Kind { Root, Layer, List };
    Kind kind = Kind::Root;
    List list = List::Layers;            // a List row's list (a Residual's body or shortcut)
    LayerType type = LayerType::Unknown; // a Layer row's type, as its JSON names it
    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    // What the row shows, as of the last analyze().
    QString cells[ColumnCount];
    QString layerTip;
    QString problemTip;
    bool problem = false;

    int row() const
    {
        const auto& siblings = parent->children;
        const auto it = std::find_if(siblings.begin(), siblings.end(), [this](const auto& c) { return c.get() == this; });
        return static_cast<int>(it - siblings.begin());
    }
};

NetworkSpecModel::NetworkSpecModel(QObject* parent) : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
    setDocument(mnist::emptyNetworkJson("MyNet"));
}

NetworkSpecModel::~NetworkSpecModel() = default;

bool NetworkSpecModel::isLayerListKey(const std::string& key)
{
    for (List l : {List::Layers, List::Body, List::Shortcut})
        if (key == mnist::layerListKey(l))
            return true;
    return false;
}

void NetworkSpecModel::setDocument(const json& doc)
{
    beginResetModel();
    m_doc = doc.is_object() ? doc : mnist::emptyNetworkJson("MyNet");
    m_root = std::make_unique<Node>();
    if (auto it = m_doc.find("layers"); it != m_doc.end() && it->is_array())
        for (const json& layer : *it)
            m_root->children.push_back(makeLayerNode(layer, m_root.get()));
    endResetModel();
    analyze();
    Q_EMIT documentChanged();
}

std::unique_ptr<NetworkSpecModel::Node> NetworkSpecModel::makeLayerNode(const json& layer, Node* parent) const
{
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::Layer;
    node->parent = parent;
    fillChildren(node.get(), layer);
    return node;
}

void NetworkSpecModel::fillChildren(Node* node, const json& layer) const
{
    node->type = typeOf(layer);
    node->children.clear();
    const auto addLayers = [&](Node* holder, List list) {
        auto it = layer.find(mnist::layerListKey(list));
        if (it != layer.end() && it->is_array())
            for (const json& child : *it)
                holder->children.push_back(makeLayerNode(child, holder));
    };
    if (node->type == LayerType::Sequential) {
        addLayers(node, List::Layers);
    } else if (node->type == LayerType::Residual) {
        for (List l : {List::Body, List::Shortcut}) {
            auto row = std::make_unique<Node>();
            row->kind = Node::Kind::List;
            row->list = l;
            row->parent = node;
            addLayers(row.get(), l);
            node->children.push_back(std::move(row));
        }
    }
}

NetworkSpecModel::Node* NetworkSpecModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

NetworkSpecModel::Node* NetworkSpecModel::holderOf(Node* owner, List list) const
{
    if (!owner)
        return nullptr;
    if (owner->kind == Node::Kind::Root)
        return list == List::Layers ? owner : nullptr;
    if (owner->kind != Node::Kind::Layer)
        return nullptr;
    if (owner->type == LayerType::Sequential)
        return list == List::Layers ? owner : nullptr;
    if (owner->type == LayerType::Residual && list != List::Layers)
        return owner->children[list == List::Body ? 0 : 1].get();
    return nullptr;
}

NetworkSpecModel::Node* NetworkSpecModel::nodeAt(const LayerLocation& where) const
{
    if (where.empty())
        return nullptr;
    Node* node = m_root.get();
    for (const LayerStep& step : where) {
        Node* holder = holderOf(node, step.list);
        if (!holder || step.index >= holder->children.size())
            return nullptr;
        node = holder->children[step.index].get();
    }
    return node;
}

LayerLocation NetworkSpecModel::locationOfNode(const Node* node) const
{
    LayerLocation where;
    while (node && node->kind == Node::Kind::Layer) {
        const Node* holder = node->parent;
        const bool inList = holder->kind == Node::Kind::List;
        where.insert(where.begin(), LayerStep{inList ? holder->list : List::Layers, static_cast<size_t>(node->row())});
        node = inList ? holder->parent : holder;
    }
    return where;
}

QModelIndex NetworkSpecModel::indexOfNode(const Node* node, int column) const
{
    if (!node || node->kind == Node::Kind::Root)
        return {};
    return createIndex(node->row(), column, const_cast<Node*>(node));
}

QModelIndex NetworkSpecModel::indexOf(const LayerLocation& where) const
{
    return indexOfNode(nodeAt(where));
}

std::optional<LayerLocation> NetworkSpecModel::locationOf(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this || nodeOf(index)->kind != Node::Kind::Layer)
        return std::nullopt;
    return locationOfNode(nodeOf(index));
}

std::optional<List> NetworkSpecModel::listRowOf(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this || nodeOf(index)->kind != Node::Kind::List)
        return std::nullopt;
    return nodeOf(index)->list;
}

QModelIndex NetworkSpecModel::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return {};
    const Node* holder = nodeOf(parent);
    if (row < 0 || row >= static_cast<int>(holder->children.size()) || column < 0 || column >= ColumnCount)
        return {};
    return createIndex(row, column, holder->children[static_cast<size_t>(row)].get());
}

QModelIndex NetworkSpecModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOfNode(nodeOf(child)->parent);
}

int NetworkSpecModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodeOf(parent)->children.size());
}

int NetworkSpecModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant NetworkSpecModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* node = nodeOf(index);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return node->cells[column];
    case Qt::ToolTipRole:
        if (column == ColLayer)
            return node->layerTip;
        if (column == ColProblem)
            return node->problemTip;
        return {};
    case Qt::ForegroundRole:
        return node->problem ? QVariant(problemColor()) : QVariant();
    case Qt::FontRole:
        if (node->kind == Node::Kind::List && column == ColLayer) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == ColParameters || column == ColMultiplyAdds)
            return QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    default:
        return {};
    }
}

QVariant NetworkSpecModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    const QString titles[ColumnCount] = {tr("Layer"), tr("Key"), tr("Output"), tr("Parameters"), tr("Multiply-adds"), tr("Problem")};
    return titles[section];
}

Qt::ItemFlags NetworkSpecModel::flags(const QModelIndex& index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

std::vector<SpecOperation> NetworkSpecModel::apply(const std::vector<SpecOperation>& ops)
{
    m_applying = true;
    std::vector<SpecOperation> undo;
    for (const SpecOperation& op : ops)
        if (auto inverse = applyOne(op))
            undo.push_back(std::move(*inverse));
    std::reverse(undo.begin(), undo.end());
    m_applying = false;
    analyze();
    Q_EMIT documentChanged();
    return undo;
}

std::optional<SpecOperation> NetworkSpecModel::applyOne(const SpecOperation& op)
{
    switch (op.kind) {
    case SpecOperation::Kind::InsertLayer:
        return insertLayer(op);
    case SpecOperation::Kind::RemoveLayer:
        return removeLayer(op);
    case SpecOperation::Kind::MoveLayer:
        return moveLayer(op);
    case SpecOperation::Kind::SetLayer:
        return setLayer(op);
    case SpecOperation::Kind::SetField:
        return setField(op);
    }
    return std::nullopt;
}

// Each edit changes a copy of the document with SpecEdit's own function first, so the document
// ends up exactly as SpecEdit makes it, and an edit that does not fit changes nothing.
std::optional<SpecOperation> NetworkSpecModel::insertLayer(const SpecOperation& op)
{
    json next = m_doc;
    if (!op.value || op.where.empty() || !mnist::insertLayer(next, op.where, *op.value))
        return std::nullopt;
    const LayerLocation owner(op.where.begin(), op.where.end() - 1);
    const json* ownerJson = owner.empty() ? &m_doc : mnist::layerJson(m_doc, owner);
    const bool createsList = ownerJson && !ownerJson->contains(mnist::layerListKey(op.where.back().list));
    Node* holder = holderOf(owner.empty() ? m_root.get() : nodeAt(owner), op.where.back().list);
    const size_t row = op.where.back().index;
    if (!holder || row > holder->children.size())
        return std::nullopt;
    beginInsertRows(indexOfNode(holder), static_cast<int>(row), static_cast<int>(row));
    m_doc = std::move(next);
    holder->children.insert(holder->children.begin() + static_cast<std::ptrdiff_t>(row), makeLayerNode(*op.value, holder));
    endInsertRows();
    return SpecOperation::removeLayer(op.where, createsList);
}

std::optional<SpecOperation> NetworkSpecModel::removeLayer(const SpecOperation& op)
{
    Node* node = nodeAt(op.where);
    const json* layer = mnist::layerJson(m_doc, op.where);
    json next = m_doc;
    if (!node || !layer || !mnist::removeLayer(next, op.where))
        return std::nullopt;
    if (op.dropList) {
        const LayerLocation owner(op.where.begin(), op.where.end() - 1);
        json* ownerJson = owner.empty() ? &next : mnist::layerJson(next, owner);
        const char* key = mnist::layerListKey(op.where.back().list);
        if (ownerJson && ownerJson->contains(key) && (*ownerJson)[key].empty())
            ownerJson->erase(key);
    }
    json removed = *layer;
    Node* holder = node->parent;
    const int row = node->row();
    beginRemoveRows(indexOfNode(holder), row, row);
    m_doc = std::move(next);
    holder->children.erase(holder->children.begin() + row);
    endRemoveRows();
    return SpecOperation::insertLayer(op.where, std::move(removed));
}

std::optional<SpecOperation> NetworkSpecModel::moveLayer(const SpecOperation& op)
{
    Node* node = nodeAt(op.where);
    const json* layer = mnist::layerJson(m_doc, op.where);
    json next = m_doc;
    if (!node || !layer || op.to.empty() || !mnist::removeLayer(next, op.where) || !mnist::insertLayer(next, op.to, *layer))
        return std::nullopt;
    Node* from = node->parent;
    const int fromRow = node->row();
    // `to` names the document without the layer; in the tree as it stands, the rows after it in
    // its own list are one further down.
    Node* owner = m_root.get();
    for (size_t i = 0; i + 1 < op.to.size(); ++i) {
        Node* holder = holderOf(owner, op.to[i].list);
        size_t row = op.to[i].index;
        if (holder == from && row >= static_cast<size_t>(fromRow))
            ++row;
        if (!holder || row >= holder->children.size() || holder->children[row].get() == node)
            return std::nullopt;
        owner = holder->children[row].get();
    }
    Node* to = holderOf(owner, op.to.back().list);
    const size_t toRow = op.to.back().index;
    if (!to || toRow > to->children.size() - (to == from ? 1 : 0))
        return std::nullopt;
    if (to != from || toRow != static_cast<size_t>(fromRow)) {
        // Qt counts the destination row before the move.
        const int qtRow = static_cast<int>(to == from && toRow >= static_cast<size_t>(fromRow) ? toRow + 1 : toRow);
        if (!beginMoveRows(indexOfNode(from), fromRow, fromRow, indexOfNode(to), qtRow))
            return std::nullopt;
        std::unique_ptr<Node> moved = std::move(from->children[static_cast<size_t>(fromRow)]);
        from->children.erase(from->children.begin() + fromRow);
        moved->parent = to;
        to->children.insert(to->children.begin() + static_cast<std::ptrdiff_t>(toRow), std::move(moved));
        m_doc = std::move(next);
        endMoveRows();
    }
    return SpecOperation::moveLayer(op.to, op.where);
}

std::optional<SpecOperation> NetworkSpecModel::setLayer(const SpecOperation& op)
{
    Node* node = nodeAt(op.where);
    json* layer = mnist::layerJson(m_doc, op.where);
    if (!node || !layer || !op.value)
        return std::nullopt;
    json old = *layer;
    if (rowShape(old) == rowShape(*op.value)) {
        *layer = *op.value;
        node->type = typeOf(*layer);
        return SpecOperation::setLayer(op.where, std::move(old));
    }
    // Its layers change (a new type, or a block that became another): its rows below are new.
    const QModelIndex index = indexOfNode(node);
    if (!node->children.empty()) {
        beginRemoveRows(index, 0, static_cast<int>(node->children.size()) - 1);
        node->children.clear();
        endRemoveRows();
    }
    *layer = *op.value;
    Node fresh;
    fillChildren(&fresh, *layer);
    node->type = fresh.type;
    if (!fresh.children.empty()) {
        beginInsertRows(index, 0, static_cast<int>(fresh.children.size()) - 1);
        node->children = std::move(fresh.children);
        for (auto& child : node->children)
            child->parent = node;
        endInsertRows();
    }
    return SpecOperation::setLayer(op.where, std::move(old));
}

std::optional<SpecOperation> NetworkSpecModel::setField(const SpecOperation& op)
{
    if (op.field.empty() || isLayerListKey(op.field))
        return std::nullopt; // the layers change through the layer operations only
    std::optional<json> old;
    if (auto it = m_doc.find(op.field); it != m_doc.end())
        old = *it;
    if (op.value)
        m_doc[op.field] = *op.value;
    else
        m_doc.erase(op.field);
    return SpecOperation::setField(op.field, std::move(old));
}

void NetworkSpecModel::analyze()
{
    m_problems.clear();
    m_spec = mnist::parseNetworkSpec(m_doc, m_problems);
    m_summary = mnist::analyzeNetwork(m_spec);

    std::map<LayerLocation, const mnist::LayerRow*, LocationLess> rows;
    for (const mnist::LayerRow& row : m_summary.rows)
        rows.emplace(row.layer, &row);
    std::map<LayerLocation, std::vector<const mnist::SpecProblem*>, LocationLess> problems;
    for (const mnist::SpecProblem& p : m_problems)
        if (!p.layer.empty())
            problems[p.layer].push_back(&p);

    const auto fill = [&](auto&& self, Node* node, const LayerLocation& where) -> void {
        if (node->kind == Node::Kind::List) {
            const bool identity = node->list == List::Shortcut && node->children.empty();
            node->cells[ColLayer] = node->list == List::Body ? tr("body")
                                    : identity              ? tr("shortcut: identity (add a layer to project)")
                                                            : tr("shortcut");
        } else if (node->kind == Node::Kind::Layer) {
            const json* layer = mnist::layerJson(m_doc, where);
            const auto row = rows.find(where);
            const mnist::LayerRow* r = row == rows.end() ? nullptr : row->second;
            const bool known = r && r->shapeKnown;
            QString type = fromStd(mnist::layerTypeName(node->type));
            if (node->type == LayerType::Unknown)
                type = layer && layer->contains("type") && (*layer)["type"].is_string() ? fromStd((*layer)["type"].get<std::string>())
                                                                                      : QStringLiteral("?");
            const QString args = layer ? argumentSummary(*layer) : QString();
            node->cells[ColLayer] = args.isEmpty() ? type : type + QStringLiteral("  ") + args;
            node->layerTip = node->cells[ColLayer];
            node->cells[ColKey] = r ? fromStd(r->prefix) : QString();
            node->cells[ColOutput] = known ? fromStd(mnist::formatShape(r->outputShape)) : QStringLiteral("?");
            node->cells[ColParameters] = known ? formatCount(r->parameters) : QString();
            node->cells[ColMultiplyAdds] = known ? formatCount(r->multiplyAdds) : QString();
            QStringList texts;
            if (auto it = problems.find(where); it != problems.end())
                for (const mnist::SpecProblem* p : it->second)
                    texts << fromStd(p->key.empty() ? p->message : p->key + ": " + p->message);
            node->cells[ColProblem] = texts.isEmpty() ? QString() : texts.front();
            node->problemTip = texts.join(QLatin1Char('\n'));
            node->problem = !texts.isEmpty();
        }
        for (size_t i = 0; i < node->children.size(); ++i) {
            Node* child = node->children[i].get();
            if (child->kind == Node::Kind::List) {
                self(self, child, where);
                continue;
            }
            LayerLocation at = where;
            at.push_back({node->kind == Node::Kind::List ? node->list : List::Layers, i});
            self(self, child, at);
        }
    };
    fill(fill, m_root.get(), {});
    emitDataChanged(m_root.get());
}

void NetworkSpecModel::emitDataChanged(const Node* node)
{
    if (node->children.empty())
        return;
    Q_EMIT dataChanged(indexOfNode(node->children.front().get(), 0), indexOfNode(node->children.back().get(), ColumnCount - 1));
    for (const auto& child : node->children)
        emitDataChanged(child.get());
}

} // namespace studio
