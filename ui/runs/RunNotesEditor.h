#pragma once
// The Runs tab's editor of one run's note and tags, under the table: a note (free text) and tags
// (words separated by spaces or commas), saved with Save, Enter in the tags or Ctrl+Enter in the
// note. It only edits; RunBrowser writes them (run/RunNotes.h) and says when that fails.
#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace studio {

class RunNotesEditor : public QWidget {
    Q_OBJECT
public:
    explicit RunNotesEditor(QWidget* parent = nullptr);

    // The run being edited (empty: none, the editor is disabled) and its notes as saved.
    void setRun(const QString& dir, const QString& name, const QString& note, const QStringList& tags);
    QString runDir() const { return m_dir; }

    QString note() const;
    // The tags as typed, split at spaces and commas (cleaned by the core when saved).
    QStringList tags() const;
    // Whether the note or tags differ from the run's saved ones.
    bool isModified() const;

    QPlainTextEdit* noteEdit() const { return m_note; }
    QLineEdit* tagsEdit() const { return m_tags; }
    QPushButton* saveButton() const { return m_save; }

public Q_SLOTS:
    void save();

Q_SIGNALS:
    // Save asked for the run `dir`.
    void saveRequested(const QString& dir, const QString& note, const QStringList& tags);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateSaveButton();

    QString m_dir;
    QString m_savedNote;
    QStringList m_savedTags;
    QLabel* m_title = nullptr;
    QPlainTextEdit* m_note = nullptr;
    QLineEdit* m_tags = nullptr;
    QPushButton* m_save = nullptr;
};

} // namespace studio
