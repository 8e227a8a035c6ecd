#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace chimera::service::test {

using chimera::test_support::read_text;
using chimera::test_support::temp_dir;

/// argv-style pointers into `args`, which must outlive the result.
inline std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    return argv;
}

/// The message of the std::invalid_argument `action` throws, or a marker when it throws none.
template <typename Action>
std::string invalid_argument_of(Action&& action) {
    try {
        action();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "<no std::invalid_argument>";
}

}  // namespace chimera::service::test
