#include "data/IdxWriter.h"

#include "Error.h"
#include "data/IdxReader.h"
#include "AtomicFile.h"

#include <torch/torch.h>

namespace mnist {

void writeIdxImages(const std::string& path, const torch::Tensor& images)
{
    if (images.dim() != 3 || images.scalar_type() != torch::kUInt8)
        throw IoError("cannot write " + path + ": IDX images must be uint8 [N, H, W]");
    const torch::Tensor data = images.to(torch::kCPU).contiguous();
    writeFileAtomically(path, [&](std::ostream& out) {
        const auto putBigEndian = [&](uint32_t v) {
            const char b[4] = {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
            out.write(b, 4);
        };
        putBigEndian(kIdxImagesMagic);
        for (int d = 0; d < 3; ++d)
            putBigEndian(static_cast<uint32_t>(data.size(d)));
        out.write(reinterpret_cast<const char*>(data.data_ptr<uint8_t>()), static_cast<std::streamsize>(data.numel()));
    });
}

} // namespace mnist
