#pragma once
// Text into HTML and SVG: the report's one escaping function and its number formats. Plain std.
#include <string>

namespace mnist {

// `text` with & < > " ' replaced by their character references, safe in element content and in
// quoted attribute values; bytes that are not valid UTF-8 become U+FFFD, so a run name read from
// a folder cannot break the page's encoding.
std::string escapeHtml(const std::string& text);

// `value` with `decimals` digits after the point, "–" for NaN or infinity.
std::string fixed(double value, int decimals);

// A short form for axis ticks and small values: up to 4 significant digits, an exponent where
// that is shorter ("1e-05"), no trailing zeros.
std::string shortNumber(double value);

} // namespace mnist
