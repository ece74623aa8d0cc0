#pragma once
// The Network tab's layer tree as a model over the spec's JSON document (after Tiled's LayerModel):
// one row per layer in the document's order, a Residual's body and shortcut as two rows of their
// own, and columns for the key, the output shape, the parameters, the multiply-adds and the first
// problem. An index's internal pointer is a node that lives as long as its layer, so an edit
// (SpecOperation) announces exactly what it inserts, removes or moves, and the view keeps its
// selection and expanded rows. After every apply() the document is re-read with the core's parser
// (spec(), problems(), summary()) and documentChanged() says so.
#include "network/SpecOperation.h"

#include "spec/NetworkSpec.h"

#include <nlohmann/json.hpp>

#include <QAbstractItemModel>

#include <memory>
#include <optional>
#include <vector>

namespace studio {

class NetworkSpecModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { ColLayer, ColKey, ColOutput, ColParameters, ColMultiplyAdds, ColProblem, ColumnCount };

    explicit NetworkSpecModel(QObject* parent = nullptr);
    ~NetworkSpecModel() override;

    // Replaces the document (a reset: nothing of the old tree is kept); not a JSON object: an empty
    // network.
    void setDocument(const nlohmann::json& doc);
    const nlohmann::json& document() const { return m_doc; }
    // The parsed document, its problems and its rows, as of the last change.
    const mnist::NetworkSpec& spec() const { return m_spec; }
    const std::vector<mnist::SpecProblem>& problems() const { return m_problems; }
    const mnist::NetworkSummary& summary() const { return m_summary; }

    // Applies `ops` in order, each announced with the rows it changes, then re-reads the document
    // once. An operation that does not fit the document (no layer there) is skipped. Returns the
    // operations that undo what was applied, in the order to apply them.
    std::vector<SpecOperation> apply(const std::vector<SpecOperation>& ops);
    // True while apply() runs: the rows have changed but spec() and problems() not yet.
    bool isApplying() const { return m_applying; }

    // A layer's row (column 0), or an invalid index when there is none.
    QModelIndex indexOf(const mnist::LayerLocation& where) const;
    // The layer a row shows; nothing for a Residual's body or shortcut row.
    std::optional<mnist::LayerLocation> locationOf(const QModelIndex& index) const;
    // For a Residual's body or shortcut row: which list it is (its Residual is locationOf(parent)).
    std::optional<mnist::LayerStep::List> listRowOf(const QModelIndex& index) const;

    // Whether a layer's JSON key holds layers ("layers", "body", "shortcut") rather than an argument.
    static bool isLayerListKey(const std::string& key);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

Q_SIGNALS:
    // After setDocument() and apply(): spec(), problems() and summary() are up to date.
    void documentChanged();

private:
    struct Node;

    Node* nodeOf(const QModelIndex& index) const;
    Node* nodeAt(const mnist::LayerLocation& where) const;
    // The node whose children are the list `list` of the layer `owner` (the root for the network).
    Node* holderOf(Node* owner, mnist::LayerStep::List list) const;
    QModelIndex indexOfNode(const Node* node, int column = 0) const;
    mnist::LayerLocation locationOfNode(const Node* node) const;
    std::unique_ptr<Node> makeLayerNode(const nlohmann::json& layer, Node* parent) const;
    void fillChildren(Node* node, const nlohmann::json& layer) const;

    std::optional<SpecOperation> applyOne(const SpecOperation& op);
    std::optional<SpecOperation> insertLayer(const SpecOperation& op);
    std::optional<SpecOperation> removeLayer(const SpecOperation& op);
    std::optional<SpecOperation> moveLayer(const SpecOperation& op);
    std::optional<SpecOperation> setLayer(const SpecOperation& op);
    std::optional<SpecOperation> setField(const SpecOperation& op);

    // Re-reads the document and refreshes every row's columns.
    void analyze();
    void emitDataChanged(const Node* node);

    nlohmann::json m_doc;
    mnist::NetworkSpec m_spec;
    std::vector<mnist::SpecProblem> m_problems;
    mnist::NetworkSummary m_summary;
    std::unique_ptr<Node> m_root;
    bool m_applying = false;
};

} // namespace studio
