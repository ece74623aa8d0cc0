#pragma once
// The Network tab: a layer editor over a network spec (spec/NetworkSpec.h). It edits the spec's
// JSON document (spec/SpecEdit.h), so what the user typed stays as typed, and after every edit
// re-reads it with the core's parser: each layer's output shape, parameters and multiply-adds, the
// totals, and every problem at its layer and argument. The layers are a NetworkSpecModel in a tree
// view; every edit is a SpecEditCommand on the editor's undo stack (the window's Edit menu offers
// it while the tab is shown). A valid network can be saved among the user's networks (which the
// set-up's architecture list then offers), used in the set-up, trained, and exported; any spec
// file can be imported.
#include "network/SpecOperation.h"

#include "spec/NetworkSpec.h"

#include <nlohmann/json.hpp>

#include <QPersistentModelIndex>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <string>
#include <utility>
#include <vector>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;
class QTreeView;
class QUndoStack;

namespace studio {

class NetworkSpecModel;

class NetworkEditor : public QWidget {
    Q_OBJECT
public:
    explicit NetworkEditor(QWidget* parent = nullptr);

    // Replaces what is being edited (no question asked: callers ask first when isModified()); the
    // undo stack starts empty.
    void openSpec(const mnist::NetworkSpec& spec);
    void openDocument(const nlohmann::json& doc);
    void openEmpty();
    // Re-reads the "Start from" list (built-in and user networks).
    void reloadNetworks();

    const nlohmann::json& document() const;
    // The parsed document; usable for building only when isValid().
    const mnist::NetworkSpec& spec() const;
    const std::vector<mnist::SpecProblem>& specProblems() const;
    bool isValid() const { return specProblems().empty(); }
    // Differs from what was opened, imported or saved (undoing back to it makes it unmodified).
    bool isModified() const;

    // The edits the buttons and keys make, on the selected layer(s), each one undo step; false when
    // not possible there.
    bool addLayer(mnist::LayerType type);
    bool removeSelected();
    bool moveSelected(int delta);
    bool groupSelected(mnist::LayerType container);
    bool ungroupSelected();
    void selectLayer(const mnist::LayerLocation& where);
    std::optional<mnist::LayerLocation> selectedLayer() const;

    // Saves a valid network as userNetworkFile(name); `overwrite` false refuses an existing file.
    // Returns false with the reason in `error`.
    bool saveToUserNetworks(bool overwrite, QString* error);
    // Reads a spec file into the editor, valid or not (its problems then show); false, leaving the
    // editor as it was, when the file cannot be read or is not JSON.
    bool importFile(const QString& path, QString* error);
    // A built-in or saved network by name, else a spec file; false with `error` when neither.
    bool openNetwork(const QString& nameOrFile, QString* error);
    // Writes the spec: canonical when valid, the document as it stands otherwise (work in progress
    // is not lost).
    bool exportFile(const QString& path, QString* error);

    QTreeView* layerTree() const { return m_tree; }
    NetworkSpecModel* layerModel() const { return m_model; }
    // Every edit since the network was opened; owned by the editor.
    QUndoStack* undoStack() const { return m_undo; }

Q_SIGNALS:
    void validityChanged(bool valid);
    // Every edit; the window keeps a draft from it.
    void documentChanged();
    // Saved among the user's networks and to be selected in the set-up (and trained, for train).
    void useNetwork(const QString& name, bool train);

protected:
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildUi();
    // One edit: a command on the undo stack that selects `after` when done; `typing` (a layer, or
    // none for the network's fields, and a key) merges it with the keys typed before into that field.
    void push(const QString& text, std::vector<SpecOperation> ops, std::vector<mnist::LayerLocation> after,
              std::optional<std::pair<mnist::LayerLocation, std::string>> typing = std::nullopt);
    void documentEdited();
    void selectionEdited();
    void selectLayers(const std::vector<mnist::LayerLocation>& layers);
    std::vector<mnist::LayerLocation> selectedLocations() const;
    void networkFieldEdited(const std::string& key, const QString& text);
    void syncHeader();
    void syncForm();
    void updateTotals();
    void fitColumns();
    void rebuildForm();
    void showProblems();
    void updateButtons();
    void argumentEdited(const std::string& key, const QString& text);
    void typeChosen(int type); // a LayerType; -1 for the unknown type a file named
    void startFromChosen();
    bool mayDiscardChanges(const QString& question); // true when nothing unsaved or the user agrees
    void askSave(bool andUse, bool train);
    void askImport();
    void askExport();
    // The selected layers when they are consecutive layers of one list, first first.
    std::vector<mnist::LayerLocation> selectedRun() const;
    int64_t classes() const;

    NetworkSpecModel* m_model = nullptr;
    QUndoStack* m_undo = nullptr;
    bool m_lastValid = false;
    bool m_pushing = false;
    // Keys typed into one field merge into one command until the field is left or rebuilt.
    int m_typingSession = 0;
    // The layer and type the form shows, so that an edit that keeps them does not rebuild it.
    std::optional<mnist::LayerLocation> m_formLayer;
    mnist::LayerType m_formType = mnist::LayerType::Unknown;
    // Rows inserted by the last edit, expanded once it is done.
    std::vector<QPersistentModelIndex> m_inserted;

    QComboBox* m_startFrom = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_description = nullptr;
    QLabel* m_headerProblem = nullptr;
    QTreeView* m_tree = nullptr;
    QLabel* m_totals = nullptr;
    QListWidget* m_problemList = nullptr;
    QWidget* m_formBox = nullptr;
    QFormLayout* m_form = nullptr;
    QComboBox* m_type = nullptr;
    QLabel* m_layerProblem = nullptr;
    std::vector<std::pair<std::string, QLineEdit*>> m_argEdits;
    std::vector<std::pair<std::string, QLabel*>> m_argProblems;
    QToolButton* m_add = nullptr;
    QPushButton* m_remove = nullptr;
    QPushButton* m_up = nullptr;
    QPushButton* m_down = nullptr;
    QToolButton* m_group = nullptr;
    QPushButton* m_ungroup = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_use = nullptr;
    QPushButton* m_train = nullptr;
};

} // namespace studio
