#include "network/SpecEditCommand.h"

#include "network/NetworkSpecModel.h"

namespace studio {
namespace {

// Every command that may merge has this id; the merge key then decides.
constexpr int kTypingId = 0x5345; // "SE"

} // namespace

SpecEditCommand::SpecEditCommand(NetworkSpecModel* model, const QString& text, std::vector<SpecOperation> ops)
    : m_model(model), m_redo(std::move(ops))
{
    setText(text);
}

void SpecEditCommand::setSelection(Select select, std::vector<mnist::LayerLocation> before, std::vector<mnist::LayerLocation> after)
{
    m_select = std::move(select);
    m_before = std::move(before);
    m_after = std::move(after);
}

void SpecEditCommand::setMergeKey(int session, mnist::LayerLocation where, std::string field)
{
    m_merge = MergeKey{session, std::move(where), std::move(field)};
}

void SpecEditCommand::redo()
{
    m_undo = m_model->apply(m_redo);
    if (m_select)
        m_select(m_after);
}

void SpecEditCommand::undo()
{
    m_model->apply(m_undo);
    if (m_select)
        m_select(m_before);
}

int SpecEditCommand::id() const
{
    return m_merge ? kTypingId : -1;
}

bool SpecEditCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const SpecEditCommand*>(other);
    if (!next || !m_merge || !next->m_merge || !(*m_merge == *next->m_merge))
        return false;
    // Typed operations set a whole value, so the later one is what redo makes; the undo of the
    // first still restores the value from before the typing.
    m_redo = next->m_redo;
    m_after = next->m_after;
    // Typed back to where it started: nothing to undo.
    setObsolete(m_redo.size() == 1 && m_undo.size() == 1 && m_redo.front() == m_undo.front());
    return true;
}

} // namespace studio
