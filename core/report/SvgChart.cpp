#include "report/SvgChart.h"

#include "report/HtmlText.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace mnist {
namespace {

constexpr int kLeft = 72, kRight = 16, kTop = 34, kBottom = 48;
constexpr int kLegendRow = 20, kLegendColumn = 250, kLegendLeft = 16;

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// Maps a value to a pixel along one axis.
struct Scale {
    double lo = 0, hi = 1;
    double from = 0, to = 1; // pixels of lo and hi
    bool log = false;
    double operator()(double v) const
    {
        const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
        return from + t * (to - from);
    }
};

bool drawable(double x, double y, bool logY)
{
    return std::isfinite(x) && std::isfinite(y) && (!logY || y > 0);
}

// The axis range and ticks for the values lo..hi (finite, lo <= hi).
std::vector<double> axisTicks(double& lo, double& hi, bool log, bool integer)
{
    if (log) {
        if (hi / lo < 1.5) {
            lo /= 1.25;
            hi *= 1.25;
        } else {
            lo /= 1.05;
            hi *= 1.05;
        }
        std::vector<double> t = logTicks(lo, hi);
        if (t.size() < 2)
            t = {lo, hi};
        return t;
    }
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
        const double pad = integer ? 1.0 : std::max(std::fabs(hi) * 0.1, 1e-3);
        lo -= pad;
        hi += pad;
    }
    std::vector<double> t = linearTicks(lo, hi, 6, integer);
    if (t.size() >= 2) {
        const double step = t[1] - t[0];
        lo = std::min(lo, std::floor(lo / step + 1e-9) * step);
        hi = std::max(hi, std::ceil(hi / step - 1e-9) * step);
        t = linearTicks(lo, hi, 6, integer);
    }
    return t;
}

void text(std::string& out, double x, double y, const std::string& anchor, const std::string& cls, const std::string& s,
          const std::string& extra = {})
{
    out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls + "\"" + extra + ">" +
           escapeHtml(s) + "</text>";
}

// Frame, grid lines, tick labels, axis labels and title of a plot box.
void axes(std::string& out, const Scale& sx, const Scale& sy, const std::vector<double>& xt, const std::vector<double>& yt,
          const std::string& title, const std::string& xLabel, const std::string& yLabel, int width)
{
    const double x0 = sx.from, x1 = sx.to, y0 = sy.from, y1 = sy.to;
    text(out, width / 2.0, 20, "middle", "title", title);
    out += "<g class=\"grid\">";
    for (double v : yt)
        out += "<line x1=\"" + num(x0) + "\" x2=\"" + num(x1) + "\" y1=\"" + num(sy(v)) + "\" y2=\"" + num(sy(v)) + "\"/>";
    for (double v : xt)
        out += "<line x1=\"" + num(sx(v)) + "\" x2=\"" + num(sx(v)) + "\" y1=\"" + num(y0) + "\" y2=\"" + num(y1) + "\"/>";
    out += "</g><rect class=\"frame\" x=\"" + num(x0) + "\" y=\"" + num(y1) + "\" width=\"" + num(x1 - x0) + "\" height=\"" +
           num(y0 - y1) + "\"/>";
    for (double v : yt)
        text(out, x0 - 6, sy(v) + 4, "end", "tick", shortNumber(v));
    for (double v : xt)
        text(out, sx(v), y0 + 16, "middle", "tick", shortNumber(v));
    text(out, (x0 + x1) / 2, y0 + 36, "middle", "axis", xLabel);
    const double cy = (y0 + y1) / 2;
    text(out, 16, cy, "middle", "axis", yLabel, " transform=\"rotate(-90 16 " + num(cy) + ")\"");
}

struct LegendEntry {
    std::string name;
    std::string color;
    bool dashed = false;
    std::string marker; // "dot", "ring" or "" (a line)
};

// Columns as wide as the longest name needs (about 7 pixels a character), at most kLegendColumn.
int legendColumn(const std::vector<LegendEntry>& entries)
{
    size_t longest = 0;
    for (const LegendEntry& e : entries)
        longest = std::max(longest, e.name.size());
    return std::clamp(static_cast<int>(std::min<size_t>(longest, 40)) * 7 + 40, 80, kLegendColumn);
}

int legendColumns(const std::vector<LegendEntry>& entries, int width)
{
    return std::max(1, (width - kLegendLeft) / legendColumn(entries));
}

int legendRows(const std::vector<LegendEntry>& entries, int width)
{
    const int columns = legendColumns(entries, width);
    return static_cast<int>((entries.size() + columns - 1) / columns);
}

void legend(std::string& out, const std::vector<LegendEntry>& entries, int width, int top)
{
    const int columns = legendColumns(entries, width), columnWidth = legendColumn(entries);
    out += "<g class=\"legend\">";
    for (size_t i = 0; i < entries.size(); ++i) {
        const LegendEntry& e = entries[i];
        const double x = kLegendLeft + static_cast<double>(i % columns) * columnWidth;
        const double y = top + static_cast<double>(i / columns) * kLegendRow + kLegendRow / 2.0;
        out += "<g><title>" + escapeHtml(e.name) + "</title>";
        if (e.marker.empty())
            out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x + 22) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
                   "\" stroke=\"" + e.color + "\" stroke-width=\"2\"" + (e.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
        else
            out += "<circle cx=\"" + num(x + 11) + "\" cy=\"" + num(y) + "\" r=\"4\" " +
                   (e.marker == "ring" ? "fill=\"none\" stroke=\"" + e.color + "\"" : "fill=\"" + e.color + "\"") + "/>";
        // Long names are cut to the column; the full name stays as the tooltip.
        std::string shown = e.name;
        if (shown.size() > 34) {
            size_t cut = 32;
            while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80)
                --cut; // not inside a UTF-8 sequence
            shown = shown.substr(0, cut) + "\xE2\x80\xA6";
        }
        text(out, x + 28, y + 4, "start", "label", shown);
        out += "</g>";
    }
    out += "</g>";
}

std::string openSvg(int width, int height, const std::string& title)
{
    return "<svg class=\"chart\" role=\"img\" aria-label=\"" + escapeHtml(title) + "\" width=\"" + std::to_string(width) +
           "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
           std::to_string(height) + "\">";
}

} // namespace

const char* chartColor(int index)
{
    static const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    const int n = static_cast<int>(sizeof kPalette / sizeof kPalette[0]);
    return kPalette[((index % n) + n) % n];
}

std::vector<double> linearTicks(double lo, double hi, int target, bool integer)
{
    if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo)
        return {lo, hi};
    const double raw = (hi - lo) / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw * 0.999) {
            step = m * magnitude;
            break;
        }
    if (integer)
        step = std::max(1.0, std::round(step));
    std::vector<double> ticks;
    const double first = std::ceil(lo / step - 1e-9);
    for (double k = first; k * step <= hi + step * 1e-9 && ticks.size() < 1000; k += 1)
        ticks.push_back(std::fabs(k * step) < step * 1e-9 ? 0.0 : k * step);
    return ticks;
}

std::vector<double> logTicks(double lo, double hi)
{
    std::vector<double> ticks;
    if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi))
        return ticks;
    const int first = static_cast<int>(std::floor(std::log10(lo))), last = static_cast<int>(std::ceil(std::log10(hi)));
    std::vector<double> powers;
    for (int e = first; e <= last; ++e) {
        const double p = std::pow(10.0, e);
        if (p >= lo * (1 - 1e-9) && p <= hi * (1 + 1e-9))
            powers.push_back(p);
    }
    if (powers.size() >= 3)
        return powers;
    for (int e = first; e <= last; ++e)
        for (double m : {1.0, 2.0, 5.0}) {
            const double v = m * std::pow(10.0, e);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
                ticks.push_back(v);
        }
    return ticks;
}

std::string svgLineChart(const LineChart& c)
{
    double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
    for (const ChartSeries& s : c.series)
        for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (drawable(s.x[i], s.y[i], c.logY)) {
                xlo = std::min(xlo, s.x[i]);
                xhi = std::max(xhi, s.x[i]);
                ylo = std::min(ylo, s.y[i]);
                yhi = std::max(yhi, s.y[i]);
            }
    std::vector<LegendEntry> entries;
    for (const ChartSeries& s : c.series)
        entries.push_back({s.name, chartColor(s.color), s.dashed, ""});
    const int rows = legendRows(entries, c.width);
    const int height = c.height + (rows ? rows * kLegendRow + 6 : 0);
    std::string out = openSvg(c.width, height, c.title);
    if (!std::isfinite(xlo)) {
        text(out, c.width / 2.0, 20, "middle", "title", c.title);
        text(out, c.width / 2.0, c.height / 2.0, "middle", "label", "no data to draw");
        return out + "</svg>";
    }
    const std::vector<double> xt = axisTicks(xlo, xhi, false, c.integerX);
    const std::vector<double> yt = axisTicks(ylo, yhi, c.logY, false);
    const Scale sx{xlo, xhi, double(kLeft), double(c.width - kRight), false};
    const Scale sy{ylo, yhi, double(c.height - kBottom), double(kTop), c.logY};
    axes(out, sx, sy, xt, yt, c.title, c.xLabel, c.yLabel, c.width);
    for (const ChartSeries& s : c.series) {
        const std::string color = chartColor(s.color);
        out += "<g class=\"series\"><title>" + escapeHtml(s.name) + "</title>";
        std::string points;
        size_t count = 0;
        const auto flush = [&] {
            // A single point has no line: a dot shows it.
            if (count == 1) {
                const size_t comma = points.find(',');
                out += "<circle cx=\"" + points.substr(0, comma) + "\" cy=\"" + points.substr(comma + 1) + "\" r=\"2.5\" fill=\"" +
                       color + "\"/>";
            } else if (count > 1) {
                out += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
                       (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"" + points + "\"/>";
            }
            points.clear();
            count = 0;
        };
        for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!drawable(s.x[i], s.y[i], c.logY)) {
                flush();
                continue;
            }
            points += (count ? " " : "") + num(sx(s.x[i])) + "," + num(sy(s.y[i]));
            ++count;
        }
        flush();
        out += "</g>";
    }
    legend(out, entries, c.width, c.height);
    return out + "</svg>";
}

std::string svgScatterChart(const ScatterChart& c)
{
    double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
    const size_t n = std::min(c.x.size(), c.y.size());
    for (size_t i = 0; i < n; ++i)
        if (drawable(c.x[i], c.y[i], false)) {
            xlo = std::min(xlo, c.x[i]);
            xhi = std::max(xhi, c.x[i]);
            ylo = std::min(ylo, c.y[i]);
            yhi = std::max(yhi, c.y[i]);
        }
    std::vector<LegendEntry> entries;
    for (size_t g = 0; g < c.groupNames.size(); ++g)
        entries.push_back({c.groupNames[g], chartColor(static_cast<int>(g)), false, "dot"});
    if (!c.markedName.empty())
        entries.push_back({c.markedName, "#333333", false, "ring"});
    const int rows = legendRows(entries, c.width);
    const int height = c.height + (rows ? rows * kLegendRow + 6 : 0);
    std::string out = openSvg(c.width, height, c.title);
    if (!std::isfinite(xlo)) {
        text(out, c.width / 2.0, 20, "middle", "title", c.title);
        text(out, c.width / 2.0, c.height / 2.0, "middle", "label", "no data to draw");
        return out + "</svg>";
    }
    const std::vector<double> xt = axisTicks(xlo, xhi, false, false);
    const std::vector<double> yt = axisTicks(ylo, yhi, false, false);
    const Scale sx{xlo, xhi, double(kLeft), double(c.width - kRight), false};
    const Scale sy{ylo, yhi, double(c.height - kBottom), double(kTop), false};
    axes(out, sx, sy, xt, yt, c.title, c.xLabel, c.yLabel, c.width);
    out += "<g class=\"points\">";
    for (size_t i = 0; i < n; ++i) {
        if (!drawable(c.x[i], c.y[i], false))
            continue;
        const int g = i < c.group.size() ? c.group[i] : 0;
        const std::string color = chartColor(g);
        const bool hollow = i < c.marked.size() && c.marked[i];
        out += "<circle cx=\"" + num(sx(c.x[i])) + "\" cy=\"" + num(sy(c.y[i])) + "\" r=\"" + (hollow ? "3.5" : "2.5") + "\" " +
               (hollow ? "fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\"" : "fill=\"" + color + "\" fill-opacity=\"0.7\"") +
               "/>";
    }
    out += "</g>";
    legend(out, entries, c.width, c.height);
    return out + "</svg>";
}

} // namespace mnist
