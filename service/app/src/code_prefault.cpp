#include "code_prefault.hpp"

#include <link.h>
#include <sys/mman.h>

#include <cstdint>

namespace chimera::service {

namespace {

constexpr std::uintptr_t page_mask = ~std::uintptr_t{4095};

/// Populates every executable segment of every loaded object: chimera itself, and in a
/// dynamically linked build libstdc++, libc and the rest.
int populate_code(dl_phdr_info* object, std::size_t /*size*/, void* /*context*/) {
    for (int i = 0; i < object->dlpi_phnum; ++i) {
        const auto& segment = object->dlpi_phdr[i];
        if (segment.p_type != PT_LOAD || (segment.p_flags & PF_X) == 0) {
            continue;
        }
        const auto begin = (object->dlpi_addr + segment.p_vaddr) & page_mask;
        const auto end = object->dlpi_addr + segment.p_vaddr + segment.p_memsz;
        static_cast<void>(::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ));
    }
    return 0;
}

}  // namespace

code_prefault::code_prefault() : worker_([] { ::dl_iterate_phdr(populate_code, nullptr); }) {}

}  // namespace chimera::service
