#include "dataset/OpenDatasetDialog.h"

#include "shared/StatusStyle.h"

#include "data/DataSource.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace studio {

OpenDatasetDialog::OpenDatasetDialog(const QVector<DatasetChoice>& recent, QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("openDatasetDialog"));
    setWindowTitle(tr("Open dataset"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;

    auto* pathRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("openDatasetPath"));
    m_path->setPlaceholderText(tr("a folder of class folders or IDX files, or a CSV file"));
    m_path->setMinimumWidth(420);
    pathRow->addWidget(m_path, 1);
    auto* folder = new QPushButton(tr("&Folder…"), this);
    folder->setObjectName(QStringLiteral("openDatasetFolder"));
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), path());
        if (!dir.isEmpty())
            setPath(dir);
    });
    pathRow->addWidget(folder);
    auto* file = new QPushButton(tr("CSV &file…"), this);
    file->setObjectName(QStringLiteral("openDatasetFile"));
    connect(file, &QPushButton::clicked, this, [this] {
        const QString csv = QFileDialog::getOpenFileName(this, tr("Dataset CSV file"), path(),
                                                         tr("CSV files (*.csv);;All files (*)"));
        if (!csv.isEmpty())
            setPath(csv);
    });
    pathRow->addWidget(file);
    form->addRow(tr("&Location:"), pathRow);

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("openDatasetKind"));
    m_kind->addItem(tr("Detect from the files"), QString());
    for (const std::string& k : mnist::dataKinds())
        m_kind->addItem(QString::fromStdString(k), QString::fromStdString(k));
    form->addRow(tr("&Kind:"), m_kind);
    m_detectedLabel = new QLabel(this);
    m_detectedLabel->setObjectName(QStringLiteral("openDatasetDetected"));
    m_detectedLabel->setWordWrap(true);
    form->addRow(QString(), m_detectedLabel);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("Opened before (double-click or Enter to open again):"), this));
    m_recent = new QListWidget(this);
    m_recent->setObjectName(QStringLiteral("openDatasetRecent"));
    for (const DatasetChoice& c : recent) {
        auto* item = new QListWidgetItem(describeChoice(c), m_recent);
        item->setData(Qt::UserRole, c.kind);
        item->setData(Qt::UserRole + 1, c.path);
    }
    connect(m_recent, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (!item)
            return;
        m_kind->setCurrentIndex(std::max(0, m_kind->findData(item->data(Qt::UserRole))));
        setPath(item->data(Qt::UserRole + 1).toString());
    });
    connect(m_recent, &QListWidget::itemActivated, this, [this] {
        if (!kind().isEmpty())
            accept();
    });
    layout->addWidget(m_recent, 1);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    connect(m_path, &QLineEdit::textChanged, this, &OpenDatasetDialog::detect);
    connect(m_kind, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &OpenDatasetDialog::updateOk);
    detect();
}

void OpenDatasetDialog::setPath(const QString& path)
{
    m_path->setText(QDir::toNativeSeparators(path));
}

QString OpenDatasetDialog::path() const
{
    return QDir::fromNativeSeparators(m_path->text().trimmed());
}

QString OpenDatasetDialog::kind() const
{
    const QString picked = m_kind->currentData().toString();
    return picked.isEmpty() ? m_detected : picked;
}

void OpenDatasetDialog::detect()
{
    // A cheap look at names only (no decoding), so it can follow each keystroke.
    m_detected = path().isEmpty() ? QString() : QString::fromStdString(mnist::detectDataKind(path().toStdString()));
    updateOk();
}

void OpenDatasetDialog::updateOk()
{
    const bool picked = !m_kind->currentData().toString().isEmpty();
    QString text;
    if (path().isEmpty())
        text = tr("Choose a folder or a CSV file.");
    else if (!m_detected.isEmpty())
        text = tr("Detected: %1").arg(m_detected);
    else
        text = picked ? tr("The kind could not be told from the files; read as %1.").arg(kind())
                      : tr("The kind could not be told from the files: pick one above.");
    m_detectedLabel->setText(text);
    markProblem(m_detectedLabel, !path().isEmpty() && kind().isEmpty());
    m_buttons->button(QDialogButtonBox::Open)->setEnabled(!path().isEmpty() && !kind().isEmpty());
}

} // namespace studio
