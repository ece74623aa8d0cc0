#include "models/ModelRegistry.h"

#include "Error.h"
#include "models/LeNet.h"
#include "models/LeNetDeep.h"
#include "models/SimpleNet.h"

#include <torch/torch.h>

#include <functional>

namespace mnist {
namespace {

struct Entry {
    ArchitectureInfo info;
    std::function<std::shared_ptr<Network>()> make;
};

std::shared_ptr<Network> lenet(int64_t c1, int64_t c2, int64_t k2, bool bn, bool drop)
{
    LeNetOptions o;
    o.channels1 = c1;
    o.channels2 = c2;
    o.kernel2 = k2;
    o.batchNorm = bn;
    o.dropout = drop;
    return std::make_shared<LeNetImpl>(o);
}

const std::vector<Entry>& entries()
{
    static const std::vector<Entry> list = {
        {{"LeNet", "two 5x5 conv blocks (16, 32) and a linear classifier"},
         [] { return lenet(16, 32, 5, false, false); }},
        {{"LeNetBN", "LeNet with BatchNorm after each convolution"}, [] { return lenet(16, 32, 5, true, false); }},
        {{"LeNetDrop", "LeNet with Dropout2d(0.125) per block and Dropout(0.4) on the output"},
         [] { return lenet(16, 32, 5, false, true); }},
        {{"LeNetDropBN", "LeNet with BatchNorm and Dropout"}, [] { return lenet(16, 32, 5, true, true); }},
        {{"LeNetDL-k5", "deeper layers (32, 64 channels), 5x5 second kernel, BatchNorm and Dropout"},
         [] { return lenet(32, 64, 5, true, true); }},
        {{"LeNetDL-k3", "deeper layers (32, 64 channels), 3x3 second kernel, BatchNorm and Dropout"},
         [] { return lenet(32, 64, 3, true, true); }},
        {{"LeNetDeep", "input BatchNorm and four conv blocks (16, 32, 64, 128) with BatchNorm and Dropout"},
         [] { return std::make_shared<LeNetDeepImpl>(); }},
        {{"SimpleNet", "four 3x3 convolutions (32, 32, 64, 64) and a 512-unit classifier with BatchNorm"},
         [] { return std::make_shared<SimpleNetImpl>(); }},
    };
    return list;
}

} // namespace

const std::vector<ArchitectureInfo>& architectures()
{
    static const std::vector<ArchitectureInfo> infos = [] {
        std::vector<ArchitectureInfo> v;
        for (const auto& e : entries())
            v.push_back(e.info);
        return v;
    }();
    return infos;
}

bool isKnownArchitecture(const std::string& name)
{
    for (const auto& e : entries())
        if (e.info.name == name)
            return true;
    return false;
}

std::string architectureNames()
{
    std::string s;
    for (const auto& e : entries())
        s += (s.empty() ? "" : ", ") + e.info.name;
    return s;
}

std::shared_ptr<Network> createNetwork(const std::string& name)
{
    for (const auto& e : entries())
        if (e.info.name == name)
            return e.make();
    throw ConfigError("unknown architecture '" + name + "' (known: " + architectureNames() + ")");
}

int64_t parameterCount(const torch::nn::Module& module)
{
    int64_t n = 0;
    for (const auto& p : module.parameters())
        n += p.numel();
    return n;
}

} // namespace mnist
