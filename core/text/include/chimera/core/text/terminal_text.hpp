#pragma once

#include <string>
#include <string_view>

namespace chimera::core::detail {

enum class line_breaks {
    keep,  ///< line feeds and tabs stay: Markdown, reports
    show,  ///< they are shown too: a log line that must stay one line
};

/// `text` safe to print on a terminal and to render as Markdown: every control character a
/// terminal would act on (C0 controls, DEL, and C1 controls U+0080–U+009F) is shown instead, C0
/// and DEL as their Unicode control pictures (ESC as ␛, BEL as ␇), C1 as U+FFFD; CR LF becomes LF.
/// File names, data and model output reach reports and logs through it.
[[nodiscard]] std::string terminal_text(std::string_view text, line_breaks breaks = line_breaks::keep);

}  // namespace chimera::core::detail
