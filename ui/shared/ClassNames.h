#pragma once
// How a class label reads in the GUI: Fashion-MNIST's garment names, the digit otherwise.
#include <QString>

#include <string>

namespace studio {

// True for the datasets whose labels have names ("fashion-mnist").
bool hasClassNames(const std::string& dataset);

// "T-shirt/top", "Trouser", … for Fashion-MNIST; "0" … "9" (any integer) otherwise.
QString className(int label, const std::string& dataset);

} // namespace studio
