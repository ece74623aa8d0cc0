#pragma once
// A line edit for a real number that accepts scientific notation ("1e-3") and keeps the exact
// value it was given until the user edits it, so a config read back equals the one set.
#include <QLineEdit>

#include <optional>

namespace studio {

class NumberEdit : public QLineEdit {
    Q_OBJECT
public:
    explicit NumberEdit(QWidget* parent = nullptr);

    // Shows `value` with up to 6 significant digits but remembers it exactly.
    void setValue(double value);
    // The value, or nothing while the text is not a number.
    std::optional<double> value() const { return m_value; }

Q_SIGNALS:
    // The user changed the text (not emitted by setValue()).
    void valueEdited();

private:
    void parseText(const QString& text);

    std::optional<double> m_value;
};

} // namespace studio
