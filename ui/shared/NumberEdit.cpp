#include "shared/NumberEdit.h"

#include <QLocale>

#include <cmath>

namespace studio {

NumberEdit::NumberEdit(QWidget* parent) : QLineEdit(parent)
{
    setValue(0);
    connect(this, &QLineEdit::textEdited, this, [this](const QString& text) {
        parseText(text);
        Q_EMIT valueEdited();
    });
}

void NumberEdit::setValue(double value)
{
    m_value = value;
    // 6 significant digits read well ("0.001", "1.33333"); the exact value stays in m_value.
    setText(QString::number(value, 'g', 6));
}

void NumberEdit::parseText(const QString& text)
{
    bool ok = false;
    // The C locale, so that "1e-3" and "0.5" mean the same everywhere (as in config files).
    const double v = QLocale::c().toDouble(text.trimmed(), &ok);
    if (ok && std::isfinite(v))
        m_value = v;
    else
        m_value.reset();
}

} // namespace studio
