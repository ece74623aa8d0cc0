#pragma once
// The notebook's experiments in a list: one click fills the set-up panel; the notebook's reported
// result is shown beside each one.
#include <QWidget>

class QListWidget;

namespace studio {

class RecipeList : public QWidget {
    Q_OBJECT
public:
    explicit RecipeList(QWidget* parent = nullptr);

    int count() const;
    QListWidget* list() const { return m_list; }

Q_SIGNALS:
    // Index into notebookRecipes().
    void recipeChosen(int index);

private:
    QListWidget* m_list = nullptr;
};

} // namespace studio
