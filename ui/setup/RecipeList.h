#pragma once
// MNIST Studio's own recipes (fast, balanced, best) and the notebook's experiments in a list: one
// click fills the set-up panel; what each reached is shown beside it.
#include <QWidget>

class QListWidget;
class QListWidgetItem;

namespace studio {

class RecipeList : public QWidget {
    Q_OBJECT
public:
    explicit RecipeList(QWidget* parent = nullptr);

    int count() const;
    QListWidget* list() const { return m_list; }

Q_SIGNALS:
    // Index into mnist::notebookRecipes().
    void recipeChosen(int index);
    // Name of one of mnist::recipes().
    void studioRecipeChosen(const QString& name);

private:
    static constexpr int StudioRecipeRole = Qt::UserRole + 1;
    void choose(QListWidgetItem* item);

    QListWidget* m_list = nullptr;
};

} // namespace studio
