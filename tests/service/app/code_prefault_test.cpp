#include "code_prefault.hpp"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

struct code_mapping {
    long size_kb = 0;
    long resident_kb = 0;
};

std::string own_executable() {
    std::string path(PATH_MAX, '\0');
    const auto n = ::readlink("/proc/self/exe", path.data(), path.size());
    path.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return path;
}

/// The executable's own code, from /proc/self/smaps: its size and how much of it is mapped in.
code_mapping executable_code() {
    const auto exe = own_executable();
    std::ifstream smaps{"/proc/self/smaps"};
    code_mapping code;
    bool in_code = false;
    for (std::string line; std::getline(smaps, line);) {
        std::istringstream fields{line};
        std::string first;
        fields >> first;
        if (first.find('-') != std::string::npos) {
            std::string perms;
            std::string offset;
            std::string device;
            std::string inode;
            std::string path;
            fields >> perms >> offset >> device >> inode >> path;
            in_code = perms == "r-xp" && path == exe;
        } else if (in_code && first == "Size:") {
            long kb = 0;
            fields >> kb;
            code.size_kb += kb;
        } else if (in_code && first == "Rss:") {
            long kb = 0;
            fields >> kb;
            code.resident_kb += kb;
        }
    }
    return code;
}

TEST(CodePrefault, MapsInAllOfTheExecutablesCode) {
    ASSERT_GT(executable_code().size_kb, 0) << "no code mapping of " << own_executable() << " in /proc/self/smaps";
    { const code_prefault prefault; }
    const auto after = executable_code();
    EXPECT_EQ(after.resident_kb, after.size_kb);
}

}  // namespace
}  // namespace chimera::service
