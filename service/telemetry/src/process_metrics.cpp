#include "process_metrics.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace chimera::service {
namespace {

prometheus::MetricFamily gauge_family(std::string name, std::string help, prometheus::MetricType type, double value) {
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    return prometheus::MetricFamily{std::move(name), std::move(help), type, {metric}};
}

/// Fields 14 (utime), 15 (stime) and 22 (starttime) of /proc/self/stat, in clock ticks.
struct proc_stat {
    double cpu_ticks = 0;
    double start_ticks = 0;
};

proc_stat read_proc_stat() {
    std::ifstream in{"/proc/self/stat"};
    std::string line;
    std::getline(in, line);
    // The command name may hold spaces; fields are counted after its closing ')'.
    std::istringstream fields{line.substr(line.rfind(')') + 2)};
    std::string field;
    proc_stat stat;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14 || index == 15) {
            stat.cpu_ticks += std::stod(field);
        } else if (index == 22) {
            stat.start_ticks = std::stod(field);
            break;
        }
    }
    return stat;
}

double resident_bytes() {
    std::ifstream in{"/proc/self/statm"};
    double size_pages = 0;
    double resident_pages = 0;
    in >> size_pages >> resident_pages;
    return resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_fds() {
    std::error_code ec;
    double count = 0;
    for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) {
        ++count;
    }
    return count;
}

double boot_time_seconds() {
    std::ifstream in{"/proc/stat"};
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double value = 0;
            in >> value;
            return value;
        }
        in.ignore(1 << 16, '\n');
    }
    return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> process_metrics::Collect() const {
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto stat = read_proc_stat();
    const double boot = boot_time_seconds();
    return {
        gauge_family("process_resident_memory_bytes", "Resident memory size in bytes.", prometheus::MetricType::Gauge,
                     resident_bytes()),
        gauge_family("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge, open_fds()),
        gauge_family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                     prometheus::MetricType::Counter, stat.cpu_ticks / ticks),
        gauge_family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                     prometheus::MetricType::Gauge, boot + stat.start_ticks / ticks),
    };
}

}  // namespace chimera::service
