#pragma once
// How a class label reads in the GUI: the run's own class names (its data's, from config.json or
// the predictions), else Fashion-MNIST's garment names, else the label's number.
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace studio {

// True for the datasets whose labels have names ("fashion-mnist").
bool hasClassNames(const std::string& dataset);

// "T-shirt/top", "Trouser", … for Fashion-MNIST; "0" … "9" (any integer) otherwise.
QString className(int label, const std::string& dataset);

// The labels of `count` classes: `names` (the data's, in label order) when it has that many,
// except MNIST's default digits for a Fashion-MNIST run recorded before runs kept their names;
// else className() of each.
QStringList classLabels(const std::vector<std::string>& names, int count, const std::string& dataset);

// `name` cut to `maxChars` with an ellipsis, for narrow headers (the full name goes in a tooltip).
QString shortClassName(const QString& name, int maxChars = 12);

} // namespace studio
