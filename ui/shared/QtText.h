#pragma once
// The core's std::string text as a QString, spelled once for the views that show it.
#include <QString>

#include <string>

namespace studio {

inline QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace studio
