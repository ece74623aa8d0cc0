#include "shared/ClassNames.h"

#include <array>

namespace studio {

bool hasClassNames(const std::string& dataset)
{
    return dataset == "fashion-mnist";
}

QString className(int label, const std::string& dataset)
{
    // torchvision's FashionMNIST.classes, in label order.
    static const std::array<const char*, 10> fashion = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    if (hasClassNames(dataset) && label >= 0 && label < static_cast<int>(fashion.size()))
        return QString::fromLatin1(fashion[static_cast<std::size_t>(label)]);
    return QString::number(label);
}

QStringList classLabels(const std::vector<std::string>& names, int count, const std::string& dataset)
{
    static const std::vector<std::string> digits{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    const bool useNames = static_cast<int>(names.size()) == count && !(hasClassNames(dataset) && names == digits);
    QStringList out;
    for (int k = 0; k < count; ++k)
        out << (useNames ? QString::fromStdString(names[static_cast<std::size_t>(k)]) : className(k, dataset));
    return out;
}

QString shortClassName(const QString& name, int maxChars)
{
    if (name.size() <= maxChars || maxChars < 2)
        return name;
    return name.left(maxChars - 1) + QChar(0x2026);
}

} // namespace studio
