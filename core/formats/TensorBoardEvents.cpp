#include "formats/TensorBoardEvents.h"

#include "Error.h"
#include "AtomicFile.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef MNIST_STUDIO_HAVE_TENSORBOARD
#include "formats/tensorboard.pb.h" // generated from formats/tensorboard.proto into the build folder

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#endif

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

// TFRecord's integers are little-endian whatever the machine.
void putLittleEndian(std::string& out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// ---- the messages (formats/tensorboard.proto) ---------------------------------------------------------
// Each function returns one serialized Event. A build without protobuf has them refuse (below);
// the constructor asks first, so its refusal names the folder.

#ifdef MNIST_STUDIO_HAVE_TENSORBOARD

constexpr const char* kFileVersion = "brain.Event:2";
constexpr const char* kHParamsPluginName = "hparams";
constexpr const char* kExperimentTag = "_hparams_/experiment";
constexpr const char* kSessionStartInfoTag = "_hparams_/session_start_info";
constexpr const char* kSessionEndInfoTag = "_hparams_/session_end_info";

// Deterministic: the hparams map in name order, so that exporting a run twice gives the same bytes.
std::string serialized(const google::protobuf::MessageLite& message)
{
    std::string out;
    {
        google::protobuf::io::StringOutputStream stream(&out);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        // Fails only for a message missing a required field, which proto3 does not have.
        if (!message.SerializeToCodedStream(&coded))
            throw IoError("Cannot encode the TensorBoard message " + message.GetTypeName());
    }
    return out;
}

tensorboard::Event eventAt(double wallTime, int64_t step)
{
    tensorboard::Event event;
    event.set_wall_time(wallTime);
    event.set_step(step);
    return event;
}

std::string fileVersionEvent(double wallTime)
{
    tensorboard::Event event = eventAt(wallTime, 0);
    event.set_file_version(kFileVersion);
    return serialized(event);
}

std::string scalarEvent(const std::string& tag, int64_t step, float value, double wallTime)
{
    tensorboard::Event event = eventAt(wallTime, step);
    tensorboard::Summary::Value* point = event.mutable_summary()->add_value();
    point->set_tag(tag);
    point->set_simple_value(value);
    return serialized(event);
}

// The event TensorBoard's hparams writer makes, at step 0 like theirs: the plugin data in the
// metadata, and as the value the empty float tensor (shape [0]) of its metadata.NULL_TENSOR,
// because TensorBoard's data classes want every value of a tensor time series to hold a tensor.
std::string hparamsEvent(const std::string& tag, const tensorboard::HParamsPluginData& data, double wallTime)
{
    tensorboard::Event event = eventAt(wallTime, 0);
    tensorboard::Summary::Value* value = event.mutable_summary()->add_value();
    value->set_tag(tag);
    tensorboard::SummaryMetadata::PluginData* plugin = value->mutable_metadata()->mutable_plugin_data();
    plugin->set_plugin_name(kHParamsPluginName);
    plugin->set_content(serialized(data));
    tensorboard::TensorProto* nullTensor = value->mutable_tensor();
    nullTensor->set_dtype(tensorboard::TensorProto::DT_FLOAT);
    nullTensor->mutable_tensor_shape()->add_dim(); // one dimension, of size 0
    return serialized(event);
}

tensorboard::DataType hparamDataType(HParamValue::Kind kind)
{
    switch (kind) {
    case HParamValue::Kind::Text:
        return tensorboard::DATA_TYPE_STRING;
    case HParamValue::Kind::Bool:
        return tensorboard::DATA_TYPE_BOOL;
    case HParamValue::Kind::Number:
        break;
    }
    return tensorboard::DATA_TYPE_FLOAT64;
}

void setValue(google::protobuf::Value& out, const HParamValue& value)
{
    switch (value.kind) {
    case HParamValue::Kind::Number:
        out.set_number_value(value.number);
        break;
    case HParamValue::Kind::Text:
        out.set_string_value(value.text);
        break;
    case HParamValue::Kind::Bool:
        out.set_bool_value(value.flag);
        break;
    }
}

// The experiment and the session's start, as two events (as TensorBoard's writers make them).
std::pair<std::string, std::string> hparamsEvents(const std::vector<std::pair<std::string, HParamValue>>& hparams,
                                                  const std::vector<std::string>& metricTags, double wallTime)
{
    tensorboard::HParamsPluginData experimentData;
    tensorboard::Experiment* experiment = experimentData.mutable_experiment();
    experiment->set_time_created_secs(wallTime);
    for (const auto& [name, value] : hparams) {
        tensorboard::HParamInfo* info = experiment->add_hparam_infos();
        info->set_name(name);
        info->set_type(hparamDataType(value.kind));
    }
    for (const std::string& tag : metricTags) // group left empty: the metrics are in this run
        experiment->add_metric_infos()->mutable_name()->set_tag(tag);

    tensorboard::HParamsPluginData startData;
    tensorboard::SessionStartInfo* start = startData.mutable_session_start_info();
    for (const auto& [name, value] : hparams)
        setValue((*start->mutable_hparams())[name], value);
    start->set_start_time_secs(wallTime);

    return {hparamsEvent(kExperimentTag, experimentData, wallTime), hparamsEvent(kSessionStartInfoTag, startData, wallTime)};
}

std::string sessionEndEvent(HParamsSessionStatus status, double wallTime)
{
    tensorboard::HParamsPluginData data;
    tensorboard::SessionEndInfo* end = data.mutable_session_end_info();
    end->set_status(status == HParamsSessionStatus::Success ? tensorboard::STATUS_SUCCESS : tensorboard::STATUS_FAILURE);
    end->set_end_time_secs(wallTime);
    return hparamsEvent(kSessionEndInfoTag, data, wallTime);
}

#else

constexpr const char* kNoSupport =
    "this build has no TensorBoard support (install protobuf-compiler and libprotobuf-dev and rebuild)";

[[noreturn]] void refuse()
{
    throw IoError(std::string("Cannot write a TensorBoard events file: ") + kNoSupport);
}

std::string fileVersionEvent(double) { refuse(); }
std::string scalarEvent(const std::string&, int64_t, float, double) { refuse(); }
std::pair<std::string, std::string> hparamsEvents(const std::vector<std::pair<std::string, HParamValue>>&,
                                                  const std::vector<std::string>&, double)
{
    refuse();
}
std::string sessionEndEvent(HParamsSessionStatus, double) { refuse(); }

#endif

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

bool tensorBoardExportAvailable()
{
#ifdef MNIST_STUDIO_HAVE_TENSORBOARD
    return true;
#else
    return false;
#endif
}

TensorBoardEventWriter::TensorBoardEventWriter(const std::string& dir, double wallTime)
{
#ifndef MNIST_STUDIO_HAVE_TENSORBOARD
    // Before anything is created: no empty log folder is left behind.
    throw IoError("Cannot write TensorBoard logs to " + dir + ": " + kNoSupport);
#endif
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
    writeEvent(scalarEvent(tag, step, value, wallTime));
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
    const auto [experiment, sessionStart] = hparamsEvents(hparams, metricTags, wallTime);
    writeEvent(experiment);
    writeEvent(sessionStart);
}

void TensorBoardEventWriter::endHParamsSession(HParamsSessionStatus status, double wallTime)
{
    throwIfUnusable();
    writeEvent(sessionEndEvent(status, wallTime));
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
