#include "runs/RunNotesEditor.h"

#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>

namespace studio {

RunNotesEditor::RunNotesEditor(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runNotesEditor"));
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 4, 0, 4);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("runNotesTitle"));
    m_note = new QPlainTextEdit(this);
    m_note->setObjectName(QStringLiteral("runNote"));
    m_note->setPlaceholderText(tr("A note about this run (Ctrl+Enter saves)"));
    m_note->setTabChangesFocus(true);
    m_note->setMaximumHeight(m_note->fontMetrics().lineSpacing() * 4 + 12);
    m_tags = new QLineEdit(this);
    m_tags->setObjectName(QStringLiteral("runTags"));
    m_tags->setPlaceholderText(tr("Tags, separated by spaces or commas (Enter saves)"));
    m_tags->setToolTip(tr("Filter the runs by one tag with tag:NAME"));
    m_save = new QPushButton(tr("Save notes"), this);
    m_save->setObjectName(QStringLiteral("saveRunNotes"));
    m_save->setToolTip(tr("Write the note and tags into the run folder's notes.json"));
    auto* noteLabel = new QLabel(tr("&Note:"), this);
    noteLabel->setBuddy(m_note);
    auto* tagsLabel = new QLabel(tr("&Tags:"), this);
    tagsLabel->setBuddy(m_tags);
    layout->addWidget(m_title, 0, 0, 1, 3);
    layout->addWidget(noteLabel, 1, 0, Qt::AlignTop);
    layout->addWidget(m_note, 1, 1, 1, 2);
    layout->addWidget(tagsLabel, 2, 0);
    layout->addWidget(m_tags, 2, 1);
    layout->addWidget(m_save, 2, 2);
    layout->setColumnStretch(1, 1);

    connect(m_save, &QPushButton::clicked, this, &RunNotesEditor::save);
    connect(m_tags, &QLineEdit::returnPressed, this, &RunNotesEditor::save);
    m_note->installEventFilter(this);
    connect(m_note, &QPlainTextEdit::textChanged, this, &RunNotesEditor::updateSaveButton);
    connect(m_tags, &QLineEdit::textChanged, this, &RunNotesEditor::updateSaveButton);
    setRun({}, {}, {}, {});
}

void RunNotesEditor::setRun(const QString& dir, const QString& name, const QString& note, const QStringList& tags)
{
    m_dir = dir;
    m_savedNote = note;
    m_savedTags = tags;
    m_title->setText(dir.isEmpty() ? tr("Select one run to edit its note and tags") : tr("Note and tags of %1").arg(name));
    {
        const QSignalBlocker a(m_note), b(m_tags);
        m_note->setPlainText(note);
        m_tags->setText(tags.join(QLatin1Char(' ')));
    }
    m_note->setEnabled(!dir.isEmpty());
    m_tags->setEnabled(!dir.isEmpty());
    updateSaveButton();
}

QString RunNotesEditor::note() const
{
    return m_note->toPlainText();
}

QStringList RunNotesEditor::tags() const
{
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    return m_tags->text().split(separators, Qt::SkipEmptyParts);
}

bool RunNotesEditor::isModified() const
{
    return !m_dir.isEmpty() && (note() != m_savedNote || tags() != m_savedTags);
}

void RunNotesEditor::save()
{
    if (m_dir.isEmpty())
        return;
    Q_EMIT saveRequested(m_dir, note(), tags());
}

bool RunNotesEditor::eventFilter(QObject* watched, QEvent* event)
{
    // Ctrl+Enter saves; Enter alone is a new line of the note.
    if (watched == m_note && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
            save();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void RunNotesEditor::updateSaveButton()
{
    m_save->setEnabled(isModified());
}

} // namespace studio
