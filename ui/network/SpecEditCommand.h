#pragma once
// One edit of the Network tab as an undo command: the SpecOperations that make it, applied to a
// NetworkSpecModel; its undo applies the inverses that the model returned. Consecutive commands
// with the same merge key (the keys typed into one field) become one, so that one undo takes back
// a whole typed value.
#include "network/SpecOperation.h"

#include "spec/NetworkSpec.h"

#include <QUndoCommand>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace studio {

class NetworkSpecModel;

class SpecEditCommand : public QUndoCommand {
public:
    // Layers to select after the command is done or undone (the view's business, not the model's).
    using Select = std::function<void(const std::vector<mnist::LayerLocation>&)>;

    // `text` names the edit in Edit ▸ Undo ("Add Conv2d"). The model must outlive the command.
    SpecEditCommand(NetworkSpecModel* model, const QString& text, std::vector<SpecOperation> ops);

    // What to select after redo() (`after`) and after undo() (`before`); `select` does it.
    void setSelection(Select select, std::vector<mnist::LayerLocation> before, std::vector<mnist::LayerLocation> after);
    // Typing: commands of one field (`where` and `field`; `where` empty for the network's own
    // fields) in one typing session merge into the first.
    void setMergeKey(int session, mnist::LayerLocation where, std::string field);

    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    struct MergeKey {
        int session = 0;
        mnist::LayerLocation where;
        std::string field;
        bool operator==(const MergeKey& o) const { return session == o.session && where == o.where && field == o.field; }
    };

    NetworkSpecModel* m_model;
    std::vector<SpecOperation> m_redo;
    std::vector<SpecOperation> m_undo; // what the model returned the last time m_redo was applied
    Select m_select;
    std::vector<mnist::LayerLocation> m_before;
    std::vector<mnist::LayerLocation> m_after;
    std::optional<MergeKey> m_merge;
};

} // namespace studio
