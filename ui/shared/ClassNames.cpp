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

} // namespace studio
