#include "data/DigitCsv.h"

#include "Error.h"
#include "data/IdxReader.h" // readDataFile

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mnist {
namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isDigit(char c)
{
    return static_cast<unsigned char>(c - '0') < 10;
}

// A line without its line end; `end` excludes the '\n' and a '\r' before it.
struct Line {
    const char* begin;
    const char* end;
};

std::string_view trimmed(const char* begin, const char* end)
{
    while (begin < end && isBlank(*begin))
        ++begin;
    while (end > begin && isBlank(end[-1]))
        --end;
    return {begin, static_cast<size_t>(end - begin)};
}

std::vector<std::string_view> splitFields(const Line& line)
{
    std::vector<std::string_view> fields;
    const char* start = line.begin;
    for (const char* p = line.begin;; ++p) {
        if (p == line.end || *p == ',') {
            fields.push_back(trimmed(start, p));
            if (p == line.end)
                break;
            start = p + 1;
        }
    }
    return fields;
}

// For messages: a value as found, shortened so that a megabyte of junk stays a readable message.
std::string quoted(std::string_view value)
{
    constexpr size_t kMax = 24;
    if (value.size() <= kMax)
        return "\"" + std::string(value) + "\"";
    return "\"" + std::string(value.substr(0, kMax)) + "...\"";
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

// A number as a spreadsheet would write one (sign, digits, one decimal point): a first line made
// only of those is data, not a header.
bool looksNumeric(std::string_view s)
{
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    bool digits = false, point = false;
    for (; i < s.size(); ++i) {
        if (isDigit(s[i]))
            digits = true;
        else if (s[i] == '.' && !point)
            point = true;
        else
            return false;
    }
    return digits;
}

class CsvParser {
public:
    CsvParser(const char* data, size_t size, const std::string& name, int64_t maxLabel)
        // No label set has a trillion classes; the bound keeps value * 10 + digit within int64_t.
        : m_pos(data), m_end(data + size), m_name(name), m_maxLabel(std::min<int64_t>(maxLabel, 1'000'000'000'000))
    {
    }

    ImageSet parse()
    {
        if (m_end - m_pos >= 3 && std::memcmp(m_pos, "\xEF\xBB\xBF", 3) == 0)
            m_pos += 3;
        if (restIsBlank())
            throw DataError(m_name + ": empty file, no images (expected a header line such as label,pixel0,...)");
        readHeader(nextLine());

        ImageSet set;
        set.channels = 1;
        set.height = set.width = m_side;
        // Every row holds at least one character and a comma per column: a bound on the row count
        // that the data itself guarantees, so a hostile header cannot make us reserve gigabytes.
        const size_t rowBound = static_cast<size_t>(m_end - m_pos) / (2 * m_columns) + 1;
        const size_t rows = std::min(rowBound, static_cast<size_t>(std::count(m_pos, m_end, '\n')) + 1);
        set.pixels.reserve(rows * static_cast<size_t>(m_pixels));
        set.labels.reserve(rows);
        set.sources.reserve(rows);

        while (m_pos < m_end) {
            const Line line = nextLine();
            if (trimmed(line.begin, line.end).empty()) {
                if (restIsBlank())
                    break;
                throw DataError(m_name + ":" + std::to_string(m_lineNo) +
                                ": blank line among the images (only the end of the file may have blank lines)");
            }
            const size_t first = set.pixels.size();
            set.pixels.resize(first + static_cast<size_t>(m_pixels));
            int64_t label = -1;
            if (!parseRow(line, set.pixels.data() + first, label))
                throwRowError(line);
            set.labels.push_back(label);
            set.sources.push_back(m_name + ":" + std::to_string(m_lineNo));
        }
        if (set.labels.empty())
            throw DataError(m_name + ": no images, only the header line");
        return set;
    }

private:
    Line nextLine()
    {
        const char* begin = m_pos;
        const char* nl = static_cast<const char*>(std::memchr(m_pos, '\n', static_cast<size_t>(m_end - m_pos)));
        const char* end = nl ? nl : m_end;
        m_pos = nl ? nl + 1 : m_end;
        if (end > begin && end[-1] == '\r')
            --end;
        ++m_lineNo;
        return {begin, end};
    }

    bool restIsBlank() const
    {
        return std::all_of(m_pos, m_end, [](char c) { return isBlank(c) || c == '\r' || c == '\n'; });
    }

    void readHeader(const Line& line)
    {
        const std::string at = m_name + ":1: ";
        std::vector<std::string_view> fields = splitFields(line);
        if (fields.size() == 1 && fields[0].empty())
            throw DataError(at + "the header line is empty (expected label,pixel0,... or pixel0,...)");
        if (std::all_of(fields.begin(), fields.end(), looksNumeric))
            throw DataError(at + "a header line is expected (label,pixel0,... or pixel0,...), found numbers");
        for (std::string_view field : fields) {
            // Spreadsheets may quote the names; the values are never quoted in the files we read.
            if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
                field = trimmed(field.data() + 1, field.data() + field.size() - 1);
            m_names.emplace_back(field);
        }
        m_columns = static_cast<int64_t>(m_names.size());
        m_labeled = lowered(m_names[0]) == "label";
        m_pixels = m_columns - (m_labeled ? 1 : 0);
        if (m_pixels == 0)
            throw DataError(at + "the header has no pixel columns");
        int64_t side = 0;
        while ((side + 1) * (side + 1) <= m_pixels)
            ++side;
        if (side * side != m_pixels)
            throw DataError(at + std::to_string(m_pixels) + " pixel columns do not make a square image (" +
                            std::to_string(side) + " x " + std::to_string(side) + " = " +
                            std::to_string(side * side) + ", " + std::to_string(side + 1) + " x " +
                            std::to_string(side + 1) + " = " + std::to_string((side + 1) * (side + 1)) + ")");
        m_side = side;
    }

    // The fast path: digits and commas with optional blanks. Anything unusual returns false and
    // throwRowError() looks at the line again to say what is wrong.
    bool parseRow(const Line& line, uint8_t* pixels, int64_t& label) const
    {
        const char* p = line.begin;
        const char* const end = line.end;
        for (int64_t column = 0; column < m_columns; ++column) {
            while (p < end && isBlank(*p))
                ++p;
            if (p == end || !isDigit(*p))
                return false;
            const bool isLabel = m_labeled && column == 0;
            const int64_t limit = isLabel ? m_maxLabel : 255;
            int64_t value = 0;
            do {
                value = value * 10 + (*p++ - '0');
                if (value > limit)
                    return false;
            } while (p < end && isDigit(*p));
            while (p < end && isBlank(*p))
                ++p;
            if (column + 1 < m_columns) {
                if (p == end || *p != ',')
                    return false;
                ++p;
            } else if (p != end) {
                return false;
            }
            if (isLabel)
                label = value;
            else
                *pixels++ = static_cast<uint8_t>(value);
        }
        return true;
    }

    [[noreturn]] void throwRowError(const Line& line) const
    {
        const std::string at = m_name + ":" + std::to_string(m_lineNo);
        const std::vector<std::string_view> fields = splitFields(line);
        const int64_t found = static_cast<int64_t>(fields.size());
        if (found != m_columns)
            throw DataError(at + ": " + std::to_string(found - (m_labeled ? 1 : 0)) + " pixels, " +
                            std::to_string(m_pixels) + " expected (the header has " + std::to_string(m_columns) +
                            " columns)");
        for (int64_t column = 0; column < m_columns; ++column) {
            const std::string_view value = fields[static_cast<size_t>(column)];
            const bool isLabel = m_labeled && column == 0;
            const std::string& header = m_names[static_cast<size_t>(column)];
            const std::string where =
                at + ", column " + (header.empty() ? std::to_string(column + 1) : header) + ": ";
            const std::string range = isLabel ? "a label 0.." + std::to_string(m_maxLabel) : "a pixel value 0..255";
            if (value.empty())
                throw DataError(where + "missing value (expected " + range + ")");
            const bool negative = value[0] == '-';
            const std::string_view digits = negative ? value.substr(1) : value;
            if (digits.empty() || !std::all_of(digits.begin(), digits.end(), isDigit))
                throw DataError(where + quoted(value) + " is not " + range + " (an integer)");
            // Leading zeros aside, more than 18 digits is out of range whatever the limit, and up to
            // 18 fit an int64_t.
            const std::string_view significant = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
            int64_t number = 0;
            for (char c : significant.substr(0, 18))
                number = number * 10 + (c - '0');
            const int64_t limit = isLabel ? m_maxLabel : 255;
            if (negative || significant.size() > 18 || number > limit) {
                const std::string shown = value.size() > 24 ? quoted(value) : std::string(value);
                throw DataError(isLabel ? at + ": label " + shown + " is outside 0.." + std::to_string(limit)
                                        : where + shown + " is not " + range);
            }
        }
        // Not reached while the checks above refuse all the fast path refuses; a safe word if not.
        throw DataError(at + ": cannot read the line as " + std::to_string(m_columns) +
                        " comma-separated integers");
    }

    const char* m_pos;
    const char* const m_end;
    const std::string& m_name;
    const int64_t m_maxLabel;
    int64_t m_lineNo = 0;
    std::vector<std::string> m_names;
    int64_t m_columns = 0;
    int64_t m_pixels = 0;
    int64_t m_side = 0;
    bool m_labeled = false;
};

} // namespace

ImageSet parseDigitCsv(const char* data, size_t size, const std::string& name, int64_t maxLabel)
{
    return CsvParser(data, size, name, maxLabel).parse();
}

ImageSet readDigitCsv(const std::string& path, int64_t maxLabel)
{
    const std::vector<uint8_t> bytes = readDataFile(path);
    // Messages and sources name the file as Kaggle does ("train.csv:15"); the folder is the user's.
    const std::string name = std::filesystem::path(path).filename().string();
    return parseDigitCsv(reinterpret_cast<const char*>(bytes.data()), bytes.size(), name, maxLabel);
}

} // namespace mnist
