#pragma once
// TensorBoard event files (events.out.tfevents.*), written without TensorFlow: the messages are
// the C++ classes protoc generates from formats/tensorboard.proto (TensorBoard's own field numbers, only
// the messages we use); the TFRecord framing and its CRC-32C are written here, as no Debian C++
// package offers them. This header is plain std types, no protobuf, LibTorch or Qt, so that any part
// of the program can log. A build without protobuf (Debian's protobuf-compiler and
// libprotobuf-dev) still has this API: tensorBoardExportAvailable() says false and a writer refuses.
//
// The file is TFRecord framing around serialized Event messages (event.proto); scalars are
// Summary.Value.simple_value; hyperparameters use the HParams plugin's layout
// (tensorboard/plugins/hparams: plugin_data.proto, api.proto), as TensorBoard's own summary writer
// lays it out. tests/core/formats/TensorBoardTests.cpp reads every field back with an independent decoder
// (protobufjs and @aws-crypto/crc32c, scripts/interop/read_tfevents.cjs).
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mnist {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF) of
// `size` bytes at `data` (may be null when size is 0). TFRecord checksums use it rather than zlib's
// CRC-32; "123456789" gives 0xE3069283.
uint32_t crc32c(const void* data, size_t size);

// The form stored in a TFRecord: the CRC rotated right by 15 bits plus 0xa282ead8, so that a CRC
// computed over data that itself holds CRCs does not come out trivially zero.
uint32_t maskedCrc32c(const void* data, size_t size);

// Whether this build can write events files: false when it was built without protobuf.
bool tensorBoardExportAvailable();

// One hyperparameter value as the HParams dashboard types it: a number (ints too: the dashboard
// has no integer type), a string or a bool. A struct with named factories rather than a
// std::variant, because a string literal would silently pick the variant's bool.
struct HParamValue {
    enum class Kind { Number, Text, Bool };
    Kind kind = Kind::Number;
    double number = 0; // when kind == Number
    std::string text;  // when kind == Text (UTF-8)
    bool flag = false; // when kind == Bool

    static HParamValue ofNumber(double value);
    static HParamValue ofText(std::string value);
    static HParamValue ofBool(bool value);
};

// How a training session ended, for the dashboard's status column (api.proto's Status).
enum class HParamsSessionStatus { Success, Failure };

// Appends TensorBoard events to a new file in a run's log folder. Each add* call writes one
// complete record to the file at once (no buffering in this process), so TensorBoard shows data as
// it is logged and a crash loses nothing already added. Times are seconds since the Unix epoch (as
// TensorBoard's wall_time). Not thread-safe: one writer per thread, or a lock around it.
//
// Failures throw IoError naming the file and the cause (disk full, read-only file system...).
// After a failed write the file is cut back to its last complete record, so it stays readable, and
// the writer stays failed: every later add* and close() throws the same error.
class TensorBoardEventWriter {
public:
    // Creates `dir` (and its parents) if needed and a new file in it,
    // events.out.tfevents.<wallTime seconds, 10 digits>.<host>.<pid>.<n, 6 digits>.mnist-studio, n
    // counting the writers of this process: TensorBoard reads a folder's event files in name order
    // and skips one that sorts before the file it has moved on to, so a later writer of this process
    // (or a later second) must sort later. An existing name is never reused, so two writers never
    // share a file. Writes the file_version record "brain.Event:2" that TensorBoard expects first.
    // Throws IoError naming `dir` when this build has no TensorBoard support, before creating it.
    TensorBoardEventWriter(const std::string& dir, double wallTime);
    // Closes the file without throwing; call close() to learn whether everything was written.
    ~TensorBoardEventWriter();
    TensorBoardEventWriter(const TensorBoardEventWriter&) = delete;
    TensorBoardEventWriter& operator=(const TensorBoardEventWriter&) = delete;
    TensorBoardEventWriter(TensorBoardEventWriter&& other) noexcept;
    TensorBoardEventWriter& operator=(TensorBoardEventWriter&& other) noexcept;

    // One point of the scalar chart `tag` (e.g. "loss/train"; slashes group charts) at `step`
    // (any int64; TensorBoard's x axis). Throws ConfigError for an empty tag.
    void addScalar(const std::string& tag, int64_t step, float value, double wallTime);

    // This run as an HParams session: its settings (session_start_info, started at `wallTime`) and
    // an experiment naming those hyperparameters (types from the values) and `metricTags`, the
    // addScalar tags the dashboard shows as metric columns (their last value each). Call it once per
    // file. TensorBoard takes the experiment of whichever run it finds first, so give every run of a
    // folder the same hparam names and metric tags. Throws ConfigError for an empty or repeated
    // hparam name or metric tag.
    void addHParams(const std::vector<std::pair<std::string, HParamValue>>& hparams,
                    const std::vector<std::string>& metricTags, double wallTime);

    // The session's end (session_end_info): without it the dashboard shows the run's status as
    // unknown, which is right for a run still going or one that crashed.
    void endHParamsSession(HParamsSessionStatus status, double wallTime);

    // Syncs the file to disk and closes it; does nothing when already closed. Throws IoError when
    // that fails or when an earlier write had failed (every time it is called: the file is short).
    void close();

    // The events file, dir/events.out.tfevents.*.
    const std::string& path() const { return m_path; }

private:
    void writeEvent(const std::string& event);
    void throwIfUnusable() const;

    std::string m_path;
    int m_fd = -1;
    uint64_t m_size = 0;  // bytes of complete records in the file
    std::string m_failure; // the first failure's message; empty while all is well
};

} // namespace mnist
