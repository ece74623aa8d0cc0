#include "formats/TensorBoardEvents.h"

#include "Error.h"
#include "AtomicFile.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

namespace mnist {
namespace {

// ---- CRC-32C -------------------------------------------------------------------------------------

constexpr uint32_t kCrc32cPolynomial = 0x82F63B78u; // Castagnoli, bit-reversed
constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;     // TFRecord's masking constant

constexpr std::array<uint32_t, 256> makeCrc32cTable()
{
    std::array<uint32_t, 256> table{};
    for (uint32_t byte = 0; byte < 256; ++byte) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1u) ? (crc >> 1) ^ kCrc32cPolynomial : crc >> 1;
        table[byte] = crc;
    }
    return table;
}

// A byte at a time: event records are tens of bytes, so a faster slicing scheme would not show.
constexpr std::array<uint32_t, 256> kCrc32cTable = makeCrc32cTable();

// ---- protobuf wire format ------------------------------------------------------------------------
// Only what the messages below need: varints (int32/int64/enum/bool), fixed64 (double), fixed32
// (float) and length-delimited fields (strings, bytes, sub-messages). proto3 leaves a plain field at
// its default value out, and so do we where TensorFlow's writer does; a member of a oneof is always
// written, even at its default, since its presence is what says which member is set.

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void putVarint(std::string& out, uint64_t value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void putKey(std::string& out, uint32_t field, WireType type)
{
    putVarint(out, (static_cast<uint64_t>(field) << 3) | type);
}

void putLittleEndian(std::string& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// int64, int32 and enum values: a negative one is sign-extended to ten bytes, as protobuf does.
void putVarintField(std::string& out, uint32_t field, int64_t value)
{
    putKey(out, field, kVarint);
    putVarint(out, static_cast<uint64_t>(value));
}

void putBoolField(std::string& out, uint32_t field, bool value)
{
    putKey(out, field, kVarint);
    putVarint(out, value ? 1 : 0);
}

void putDoubleField(std::string& out, uint32_t field, double value)
{
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    putKey(out, field, kFixed64);
    putLittleEndian(out, bits, 8);
}

void putFloatField(std::string& out, uint32_t field, float value)
{
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    putKey(out, field, kFixed32);
    putLittleEndian(out, bits, 4);
}

// Strings, bytes and serialized sub-messages alike.
void putBytesField(std::string& out, uint32_t field, const std::string& bytes)
{
    putKey(out, field, kLengthDelimited);
    putVarint(out, bytes.size());
    out += bytes;
}

// ---- field numbers, from the .proto files -------------------------------------------------------
// One namespace per message, named after it, so that each number reads against its .proto line.

// tensorflow/core/util/event.proto
namespace event {
constexpr uint32_t kWallTime = 1;    // double
constexpr uint32_t kStep = 2;        // int64
constexpr uint32_t kFileVersion = 3; // string, oneof what
constexpr uint32_t kSummary = 5;     // Summary, oneof what
} // namespace event

// tensorflow/core/framework/summary.proto
namespace summary {
constexpr uint32_t kValue = 1; // repeated Summary.Value
} // namespace summary
namespace summary_value {
constexpr uint32_t kTag = 1;         // string
constexpr uint32_t kSimpleValue = 2; // float, oneof value
constexpr uint32_t kTensor = 8;      // TensorProto, oneof value
constexpr uint32_t kMetadata = 9;    // SummaryMetadata
} // namespace summary_value
namespace summary_metadata {
constexpr uint32_t kPluginData = 1; // SummaryMetadata.PluginData
constexpr uint32_t kPluginName = 1; // PluginData: string
constexpr uint32_t kContent = 2;    // PluginData: bytes
} // namespace summary_metadata

// tensorflow/core/framework/tensor.proto, tensor_shape.proto, types.proto
namespace tensor {
constexpr uint32_t kDtype = 1;       // DataType
constexpr uint32_t kTensorShape = 2; // TensorShapeProto
constexpr uint32_t kShapeDim = 2;    // TensorShapeProto: repeated Dim (Dim.size = 1, left at 0)
constexpr int64_t kDtFloat = 1;      // DataType DT_FLOAT
} // namespace tensor

// tensorboard/plugins/hparams/plugin_data.proto
namespace hparams_plugin_data {
constexpr uint32_t kVersion = 1;          // int32; TensorBoard reads version 0 only
constexpr uint32_t kExperiment = 2;       // Experiment, oneof data
constexpr uint32_t kSessionStartInfo = 3; // SessionStartInfo, oneof data
constexpr uint32_t kSessionEndInfo = 4;   // SessionEndInfo, oneof data
} // namespace hparams_plugin_data
namespace session_start_info {
constexpr uint32_t kHParams = 1;       // map<string, google.protobuf.Value>
constexpr uint32_t kStartTimeSecs = 5; // double
constexpr uint32_t kMapKey = 1;        // the map's entry message: key
constexpr uint32_t kMapValue = 2;      // and value
} // namespace session_start_info
namespace session_end_info {
constexpr uint32_t kStatus = 1;      // Status
constexpr uint32_t kEndTimeSecs = 2; // double
} // namespace session_end_info

// tensorboard/plugins/hparams/api.proto
namespace experiment {
constexpr uint32_t kTimeCreatedSecs = 3; // double
constexpr uint32_t kHParamInfos = 4;     // repeated HParamInfo
constexpr uint32_t kMetricInfos = 5;     // repeated MetricInfo
} // namespace experiment
namespace hparam_info {
constexpr uint32_t kName = 1; // string
constexpr uint32_t kType = 4; // DataType
constexpr int64_t kDataTypeString = 1;
constexpr int64_t kDataTypeBool = 2;
constexpr int64_t kDataTypeFloat64 = 3;
} // namespace hparam_info
namespace metric_info {
constexpr uint32_t kName = 1;    // MetricName
constexpr uint32_t kNameTag = 2; // MetricName: string tag (group = 1 stays empty: same run)
} // namespace metric_info
namespace status {
constexpr int64_t kSuccess = 1; // STATUS_SUCCESS
constexpr int64_t kFailure = 2; // STATUS_FAILURE
} // namespace status

// google/protobuf/struct.proto: Value, oneof kind
namespace struct_value {
constexpr uint32_t kNumberValue = 2; // double
constexpr uint32_t kStringValue = 3; // string
constexpr uint32_t kBoolValue = 4;   // bool
} // namespace struct_value

// ---- the messages --------------------------------------------------------------------------------

constexpr const char* kFileVersion = "brain.Event:2";
constexpr const char* kHParamsPluginName = "hparams";
constexpr const char* kExperimentTag = "_hparams_/experiment";
constexpr const char* kSessionStartInfoTag = "_hparams_/session_start_info";
constexpr const char* kSessionEndInfoTag = "_hparams_/session_end_info";

std::string eventHeader(double wallTime, int64_t step)
{
    std::string out;
    putDoubleField(out, event::kWallTime, wallTime);
    if (step != 0)
        putVarintField(out, event::kStep, step);
    return out;
}

std::string fileVersionEvent(double wallTime)
{
    std::string out = eventHeader(wallTime, 0);
    putBytesField(out, event::kFileVersion, kFileVersion);
    return out;
}

// An Event holding a Summary of one Summary.Value.
std::string summaryEvent(double wallTime, int64_t step, const std::string& value)
{
    std::string summaryBytes;
    putBytesField(summaryBytes, summary::kValue, value);
    std::string out = eventHeader(wallTime, step);
    putBytesField(out, event::kSummary, summaryBytes);
    return out;
}

std::string scalarValue(const std::string& tag, float value)
{
    std::string out;
    putBytesField(out, summary_value::kTag, tag);
    putFloatField(out, summary_value::kSimpleValue, value);
    return out;
}

// The Summary.Value TensorBoard's hparams writer makes: the plugin data in the metadata, and as
// the value the empty float tensor (shape [0]) of its metadata.NULL_TENSOR, because TensorBoard's
// data classes want every value of a tensor time series to hold a tensor.
std::string hparamsValue(const std::string& tag, uint32_t dataField, const std::string& data)
{
    // HParamsPluginData: its version (field kVersion) is 0, proto3's default, so it is left out.
    std::string content;
    putBytesField(content, dataField, data);

    std::string pluginData;
    putBytesField(pluginData, summary_metadata::kPluginName, kHParamsPluginName);
    putBytesField(pluginData, summary_metadata::kContent, content);
    std::string metadata;
    putBytesField(metadata, summary_metadata::kPluginData, pluginData);

    std::string shape;
    putBytesField(shape, tensor::kShapeDim, std::string()); // one dimension, of size 0
    std::string nullTensor;
    putVarintField(nullTensor, tensor::kDtype, tensor::kDtFloat);
    putBytesField(nullTensor, tensor::kTensorShape, shape);

    std::string out;
    putBytesField(out, summary_value::kTag, tag);
    putBytesField(out, summary_value::kTensor, nullTensor);
    putBytesField(out, summary_value::kMetadata, metadata);
    return out;
}

std::string protobufValue(const HParamValue& value)
{
    std::string out;
    switch (value.kind) {
    case HParamValue::Kind::Number:
        putDoubleField(out, struct_value::kNumberValue, value.number);
        break;
    case HParamValue::Kind::Text:
        putBytesField(out, struct_value::kStringValue, value.text);
        break;
    case HParamValue::Kind::Bool:
        putBoolField(out, struct_value::kBoolValue, value.flag);
        break;
    }
    return out;
}

int64_t hparamDataType(HParamValue::Kind kind)
{
    switch (kind) {
    case HParamValue::Kind::Text:
        return hparam_info::kDataTypeString;
    case HParamValue::Kind::Bool:
        return hparam_info::kDataTypeBool;
    case HParamValue::Kind::Number:
        break;
    }
    return hparam_info::kDataTypeFloat64;
}

// ---- the file ------------------------------------------------------------------------------------

// 1, 2, 3...: numbers the writers of this process, for unique file names.
unsigned long long nextWriterNumber()
{
    static std::atomic<unsigned long long> count{0};
    return ++count;
}

std::string hostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
        return "localhost";
    std::string host(name);
    for (char& c : host) // a file name, whatever the host calls itself
        if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            c = '_';
    return host;
}

std::string eventFileName(double wallTime, const std::string& host, unsigned long long serial)
{
    // Ten digits, as TensorFlow's names have until the year 2286; a nonsense time gives 0.
    const long long seconds =
        std::isfinite(wallTime) && wallTime > 0 ? static_cast<long long>(std::min(wallTime, 9999999999.0)) : 0;
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%010lld", seconds);
    char number[32]; // padded, so that the 10th writer of a second sorts after the 9th
    std::snprintf(number, sizeof number, "%06llu", serial);
    return std::string("events.out.tfevents.") + stamp + "." + host + "." + std::to_string(::getpid()) + "." + number +
           ".mnist-studio";
}

} // namespace

uint32_t crc32c(const void* data, size_t size)
{
    const auto* bytes = static_cast<const unsigned char*>(data);
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i)
        crc = kCrc32cTable[(crc ^ bytes[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

uint32_t maskedCrc32c(const void* data, size_t size)
{
    const uint32_t crc = crc32c(data, size);
    return ((crc >> 15) | (crc << 17)) + kCrcMaskDelta;
}

HParamValue HParamValue::ofNumber(double value)
{
    HParamValue v;
    v.kind = Kind::Number;
    v.number = value;
    return v;
}

HParamValue HParamValue::ofText(std::string value)
{
    HParamValue v;
    v.kind = Kind::Text;
    v.text = std::move(value);
    return v;
}

HParamValue HParamValue::ofBool(bool value)
{
    HParamValue v;
    v.kind = Kind::Bool;
    v.flag = value;
    return v;
}

TensorBoardEventWriter::TensorBoardEventWriter(const std::string& dir, double wallTime)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw IoError("Cannot create the TensorBoard log folder " + dir + ": " + ec.message());
    const std::string host = hostName();
    // O_EXCL: a name already there (another process of the same pid, a run resumed in the same
    // second) is skipped, never appended to or truncated.
    for (int attempt = 0; m_fd < 0; ++attempt) {
        m_path = (std::filesystem::path(dir) / eventFileName(wallTime, host, nextWriterNumber())).string();
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (m_fd < 0 && (errno != EEXIST || attempt >= 1000)) {
            const int saved = errno;
            throw IoError("Cannot create the TensorBoard events file " + m_path + ": " + writeFailureReason(m_path, saved));
        }
    }
    try {
        writeEvent(fileVersionEvent(wallTime));
    } catch (const IoError&) {
        ::close(m_fd);
        ::unlink(m_path.c_str()); // an events file without its version record is no use to anyone
        throw;
    }
}

TensorBoardEventWriter::~TensorBoardEventWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

TensorBoardEventWriter::TensorBoardEventWriter(TensorBoardEventWriter&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(other.m_fd), m_size(other.m_size), m_failure(std::move(other.m_failure))
{
    other.m_fd = -1;
    other.m_failure.clear();
}

TensorBoardEventWriter& TensorBoardEventWriter::operator=(TensorBoardEventWriter&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_path = std::move(other.m_path);
        m_fd = other.m_fd;
        m_size = other.m_size;
        m_failure = std::move(other.m_failure);
        other.m_fd = -1;
        other.m_failure.clear();
    }
    return *this;
}

void TensorBoardEventWriter::addScalar(const std::string& tag, int64_t step, float value, double wallTime)
{
    if (tag.empty())
        throw ConfigError("TensorBoard scalar without a tag (events file " + m_path + ")");
    throwIfUnusable();
    writeEvent(summaryEvent(wallTime, step, scalarValue(tag, value)));
}

void TensorBoardEventWriter::addHParams(const std::vector<std::pair<std::string, HParamValue>>& hparams,
                                        const std::vector<std::string>& metricTags, double wallTime)
{
    std::set<std::string> names;
    for (const auto& [name, value] : hparams)
        if (name.empty() || !names.insert(name).second)
            throw ConfigError("TensorBoard hparams: " + std::string(name.empty() ? "an empty" : "a repeated") +
                              " hyperparameter name \"" + name + "\" (events file " + m_path + ")");
    std::set<std::string> tags;
    for (const std::string& tag : metricTags)
        if (tag.empty() || !tags.insert(tag).second)
            throw ConfigError("TensorBoard hparams: " + std::string(tag.empty() ? "an empty" : "a repeated") +
                              " metric tag \"" + tag + "\" (events file " + m_path + ")");
    throwIfUnusable();

    std::string experimentBytes;
    putDoubleField(experimentBytes, experiment::kTimeCreatedSecs, wallTime);
    for (const auto& [name, value] : hparams) {
        std::string info;
        putBytesField(info, hparam_info::kName, name);
        putVarintField(info, hparam_info::kType, hparamDataType(value.kind));
        putBytesField(experimentBytes, experiment::kHParamInfos, info);
    }
    for (const std::string& tag : metricTags) {
        std::string metricName;
        putBytesField(metricName, metric_info::kNameTag, tag);
        std::string info;
        putBytesField(info, metric_info::kName, metricName);
        putBytesField(experimentBytes, experiment::kMetricInfos, info);
    }

    std::string startBytes;
    for (const auto& [name, value] : hparams) {
        std::string entry;
        putBytesField(entry, session_start_info::kMapKey, name);
        putBytesField(entry, session_start_info::kMapValue, protobufValue(value));
        putBytesField(startBytes, session_start_info::kHParams, entry);
    }
    putDoubleField(startBytes, session_start_info::kStartTimeSecs, wallTime);

    // Two events, as TensorBoard's writers make them, at step 0 like theirs.
    writeEvent(summaryEvent(wallTime, 0, hparamsValue(kExperimentTag, hparams_plugin_data::kExperiment, experimentBytes)));
    writeEvent(summaryEvent(wallTime, 0,
                            hparamsValue(kSessionStartInfoTag, hparams_plugin_data::kSessionStartInfo, startBytes)));
}

void TensorBoardEventWriter::endHParamsSession(HParamsSessionStatus sessionStatus, double wallTime)
{
    throwIfUnusable();
    std::string endBytes;
    putVarintField(endBytes, session_end_info::kStatus,
                   sessionStatus == HParamsSessionStatus::Success ? status::kSuccess : status::kFailure);
    putDoubleField(endBytes, session_end_info::kEndTimeSecs, wallTime);
    writeEvent(summaryEvent(wallTime, 0, hparamsValue(kSessionEndInfoTag, hparams_plugin_data::kSessionEndInfo, endBytes)));
}

void TensorBoardEventWriter::close()
{
    if (m_fd >= 0) {
        const int fd = m_fd;
        m_fd = -1;
        // fsync() is where some file systems (NFS, quotas) first report a full disk.
        if (m_failure.empty() && ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
            const int saved = errno;
            m_failure = "Cannot write the TensorBoard events file " + m_path + ": " + writeFailureReason(m_path, saved);
        }
        if (::close(fd) != 0 && m_failure.empty()) {
            const int saved = errno;
            m_failure = "Cannot write the TensorBoard events file " + m_path + ": " + writeFailureReason(m_path, saved);
        }
    }
    if (!m_failure.empty())
        throw IoError(m_failure);
}

void TensorBoardEventWriter::throwIfUnusable() const
{
    if (!m_failure.empty())
        throw IoError(m_failure);
    if (m_fd < 0)
        throw IoError("The TensorBoard events file " + m_path + " is already closed");
}

// A TFRecord: uint64 length, its masked CRC-32C, the data, the data's masked CRC-32C, all
// little-endian; written with one write() where the kernel takes it all, so a reader never sees a
// record that this process meant as two.
void TensorBoardEventWriter::writeEvent(const std::string& event)
{
    throwIfUnusable();
    std::string record;
    record.reserve(event.size() + 16);
    putLittleEndian(record, event.size(), 8);
    putLittleEndian(record, maskedCrc32c(record.data(), 8), 4);
    record += event;
    putLittleEndian(record, maskedCrc32c(event.data(), event.size()), 4);

    size_t written = 0;
    while (written < record.size()) {
        const ssize_t n = ::write(m_fd, record.data() + written, record.size() - written);
        if (n > 0) {
            written += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        const int saved = n < 0 ? errno : 0;
        m_failure = "Cannot write the TensorBoard events file " + m_path + ": " + writeFailureReason(m_path, saved);
        // Cut the partial record off: TensorBoard would otherwise wait forever for the rest of it.
        if (::ftruncate(m_fd, static_cast<off_t>(m_size)) == 0)
            ::lseek(m_fd, static_cast<off_t>(m_size), SEEK_SET);
        throw IoError(m_failure);
    }
    m_size += record.size();
}

} // namespace mnist
