#include "setup/RecipeList.h"

#include "spec/Recipes.h"

#include <QFont>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace studio {

RecipeList::RecipeList(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("recipeList"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* intro = new QLabel(tr("A click loads a recipe into the set-up. First MNIST Studio's own (shuffled, one-cycle), "
                                "then the notebook's experiments (Adam, the notebook's 48,000 / 12,000 split, no "
                                "shuffling) with what the notebook observed. Accuracies: docs/accuracy.md."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("recipes"));
    m_list->setWordWrap(true);
    m_list->setAlternatingRowColors(true);
    m_list->setUniformItemSizes(false);
    for (const mnist::Recipe& r : mnist::recipes()) {
        const QString name = QString::fromStdString(r.name);
        auto* item = new QListWidgetItem(QStringLiteral("MNIST Studio · %1\n    %2").arg(name, QString::fromStdString(r.summary)), m_list);
        item->setData(Qt::UserRole, -1);
        item->setData(StudioRecipeRole, name);
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
    }
    const auto& recipes = mnist::notebookRecipes();
    for (int i = 0; i < static_cast<int>(recipes.size()); ++i) {
        const mnist::Recipe& r = recipes[static_cast<size_t>(i)];
        auto* item = new QListWidgetItem(
            QStringLiteral("%1\n    notebook: %2").arg(QString::fromStdString(r.title), QString::fromStdString(r.result)), m_list);
        item->setToolTip(QString::fromStdString(r.note));
        item->setData(Qt::UserRole, i);
    }
    // One click is enough; keyboard users get Enter.
    connect(m_list, &QListWidget::itemClicked, this, &RecipeList::choose);
    connect(m_list, &QListWidget::itemActivated, this, &RecipeList::choose);
    layout->addWidget(m_list, 1);
}

void RecipeList::choose(QListWidgetItem* item)
{
    const QString studio = item->data(StudioRecipeRole).toString();
    if (!studio.isEmpty())
        Q_EMIT studioRecipeChosen(studio);
    else
        Q_EMIT recipeChosen(item->data(Qt::UserRole).toInt());
}

int RecipeList::count() const
{
    return m_list->count();
}

} // namespace studio
