#include "formats/StateDict.h"

#include "Error.h"

#include <torch/torch.h>

namespace mnist {

NamedTensors stateDict(const torch::nn::Module& module)
{
    NamedTensors out;
    for (const auto& item : module.named_modules("", /*include_self=*/true)) {
        const std::string prefix = item.key().empty() ? "" : item.key() + ".";
        for (const auto& p : item.value()->named_parameters(/*recurse=*/false))
            out.emplace_back(prefix + p.key(), p.value());
        for (const auto& b : item.value()->named_buffers(/*recurse=*/false))
            out.emplace_back(prefix + b.key(), b.value());
    }
    return out;
}

void loadStateDict(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors)
{
    const NamedTensors own = stateDict(module);
    std::string problems;
    std::set<std::string> used;
    for (const auto& [name, target] : own) {
        auto it = tensors.find(name);
        if (it == tensors.end()) {
            problems += "\n  missing: " + name;
            continue;
        }
        used.insert(name);
        if (it->second.sizes() != target.sizes()) {
            std::ostringstream s;
            s << "\n  shape of " << name << ": file has " << it->second.sizes() << ", model needs " << target.sizes();
            problems += s.str();
        }
    }
    for (const auto& [name, t] : tensors)
        if (!used.count(name) && name.rfind("__", 0) != 0)
            problems += "\n  unexpected: " + name;
    if (!problems.empty())
        throw IoError("weights do not fit this architecture:" + problems);
    torch::NoGradGuard noGrad;
    for (const auto& [name, target] : own) {
        auto t = target; // shares storage with the module's tensor
        t.copy_(tensors.at(name).to(target.device(), target.scalar_type()));
    }
}

void saveWeights(const torch::nn::Module& module, const std::string& path)
{
    writeSafeTensors(path, stateDict(module), {{"format", "pt"}});
}

void loadWeights(torch::nn::Module& module, const std::string& path)
{
    loadStateDict(module, readSafeTensors(path));
}

} // namespace mnist
