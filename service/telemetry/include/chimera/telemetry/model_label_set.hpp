#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::service {

/// The values the `model` label of the metrics may take. Clients name any model they like,
/// and every label value is a series kept for the life of the process: so a model is its
/// own label only when the operator allowed it (`--metrics-model`) or the backend lists it
/// (`/api/tags`), at most `max_models` of them; any other name is counted as `other`.
/// Thread-safe: metrics are observed from any thread.
class model_label_set {
public:
    static constexpr std::string_view other = "other";
    static constexpr std::size_t default_max_models = 64;

    explicit model_label_set(std::vector<std::string> allowed = {}, std::size_t max_models = default_max_models);

    /// `model` itself when it is in the set, or its spelling in the set with or without the
    /// `:latest` tag; else "other".
    [[nodiscard]] std::string label_of(std::string_view model) const;

    /// Adds the models a backend listed, while there is room: names from a backend are kept
    /// once seen, so a series never changes its label mid-life.
    void learn(const std::vector<std::string>& listed);

    [[nodiscard]] std::size_t size() const;

private:
    void add(std::string_view model);

    mutable std::mutex mutex_;
    std::set<std::string, std::less<>> models_;
    std::size_t max_models_;
};

}  // namespace chimera::service
