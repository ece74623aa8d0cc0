#include "RecipeList.h"

#include "NotebookRecipes.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace studio {

RecipeList::RecipeList(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("recipeList"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* intro = new QLabel(tr("The notebook's experiments. A click loads one into the set-up (Adam, the notebook's "
                                "48,000 / 12,000 split, no shuffling); the notebook's result is on the right."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("recipes"));
    m_list->setWordWrap(true);
    m_list->setAlternatingRowColors(true);
    m_list->setUniformItemSizes(false);
    const auto& recipes = notebookRecipes();
    for (int i = 0; i < recipes.size(); ++i) {
        const NotebookRecipe& r = recipes[i];
        auto* item = new QListWidgetItem(QStringLiteral("%1\n    notebook: %2").arg(r.title, r.result), m_list);
        item->setToolTip(r.note);
        item->setData(Qt::UserRole, i);
    }
    // One click is enough; keyboard users get Enter.
    connect(m_list, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        Q_EMIT recipeChosen(item->data(Qt::UserRole).toInt());
    });
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT recipeChosen(item->data(Qt::UserRole).toInt());
    });
    layout->addWidget(m_list, 1);
}

int RecipeList::count() const
{
    return m_list->count();
}

} // namespace studio
