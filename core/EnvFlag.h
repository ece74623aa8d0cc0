#pragma once
// Switches read from the environment, such as the bench's baseline settings: on when the variable
// is set to anything but "" or "0".
#include <cstdlib>
#include <cstring>

namespace mnist {

inline bool envFlag(const char* name)
{
    const char* v = std::getenv(name);
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
}

} // namespace mnist
