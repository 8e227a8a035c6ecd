// The simulated model's text: token counting of prompts and the tokens it "generates".
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

// Prompt tokens are the whitespace-separated words of system + prompt, at least one: predictable
// for tests (real tokenizers give ~1.3 tokens per English word).
std::uint64_t count_prompt_tokens(std::string_view system, std::string_view prompt);

// Token i of every response. The text reads like a markdown analysis (headings, "- finding:" bullets)
// and contains multi-byte UTF-8 and <, >, & so clients meet them; it repeats after its last token.
std::string_view response_token(std::uint64_t i);

// A plausible token id for context position i.
int context_token_id(std::uint64_t i);

}  // namespace sim
