#pragma once
// Reading a JSON number into a C++ integer type exactly. nlohmann's get<int64_t>() converts a
// float by a plain cast (undefined behaviour past the type's range; found by fuzzing) and wraps an
// integer that does not fit; a config or file header must refuse such a value instead.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mnist {

// The value of `v` as Int. Accepts an integer, or a float with an integral value (3.0), within
// Int's range; throws std::invalid_argument (not an integer) or std::out_of_range, with the value.
template <class Int>
Int jsonInteger(const nlohmann::json& v)
{
    static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
    using Limits = std::numeric_limits<Int>;
    const auto fitsUnsigned = [](uint64_t u) { return u <= static_cast<uint64_t>(Limits::max()); };
    const auto fitsSigned = [&](int64_t s) {
        return s >= 0 ? fitsUnsigned(static_cast<uint64_t>(s))
                      : Limits::is_signed && s >= static_cast<int64_t>(Limits::min());
    };
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (fitsUnsigned(u))
            return static_cast<Int>(u);
    } else if (v.is_number_integer()) {
        const int64_t s = v.get<int64_t>();
        if (fitsSigned(s))
            return static_cast<Int>(s);
    } else if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!std::isfinite(d) || std::floor(d) != d)
            throw std::invalid_argument("expected an integer, got " + v.dump());
        // -2^63, 2^63 and 2^64 are exact doubles, so these bounds make the casts below defined.
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && fitsSigned(static_cast<int64_t>(d)))
            return static_cast<Int>(static_cast<int64_t>(d));
        if (d >= 0 && d < 18446744073709551616.0 && fitsUnsigned(static_cast<uint64_t>(d)))
            return static_cast<Int>(static_cast<uint64_t>(d));
    } else {
        throw std::invalid_argument(std::string("expected an integer, got ") + v.type_name());
    }
    throw std::out_of_range("integer " + v.dump() + " is out of range (" + std::to_string(Limits::min()) + " to " +
                            std::to_string(Limits::max()) + ")");
}

} // namespace mnist
