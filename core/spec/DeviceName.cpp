#include "spec/DeviceName.h"

namespace mnist {

bool parseCudaIndex(const std::string& spec, long* index)
{
    if (spec == "cuda") {
        *index = 0;
        return true;
    }
    if (spec.rfind("cuda:", 0) != 0 || spec.size() == 5 || spec.size() > 8)
        return false;
    for (size_t i = 5; i < spec.size(); ++i)
        if (spec[i] < '0' || spec[i] > '9')
            return false;
    *index = std::stol(spec.substr(5));
    return true;
}

std::string deviceSyntaxProblem(const std::string& spec)
{
    long index = 0;
    if (spec == "auto" || spec == "cpu" || parseCudaIndex(spec, &index))
        return {};
    return "device '" + spec + "' is not one of auto, cpu, cuda, cuda:N";
}

} // namespace mnist
