#include "chimera/core/stats/effect_size.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(effect_size, cohens_d_uses_the_pooled_sample_sd) {
    // Python: (mean(a) − mean(b)) / sqrt(((na−1)·var(a) + (nb−1)·var(b)) / (na+nb−2)).
    const std::vector<double> config{114.2, 115.9, 116.4, 113.8, 115.1};
    const std::vector<double> baseline{112.0, 113.5, 112.9, 114.1};
    ASSERT_TRUE(cohens_d(config, baseline));
    EXPECT_NEAR(*cohens_d(config, baseline), 1.922921289875605, 1e-13);
    EXPECT_NEAR(*cohens_d(baseline, config), -1.922921289875605, 1e-13);
}

TEST(effect_size, equal_sizes_pool_to_the_root_mean_square_sd) {
    const std::vector<double> a{1, 3};  // sd √2
    const std::vector<double> b{4, 8};  // sd √8, pooled √5
    EXPECT_NEAR(*cohens_d(a, b), -4 / std::sqrt(5.0), 1e-15);
}

TEST(effect_size, a_single_value_contributes_its_mean_but_no_variance) {
    const std::vector<double> one{10};
    const std::vector<double> two{6, 8};  // sd √2, pooled over 1 degree of freedom
    EXPECT_NEAR(*cohens_d(one, two), 3 / std::sqrt(2.0), 1e-15);
}

TEST(effect_size, is_undefined_without_spread_or_degrees_of_freedom) {
    const std::vector<double> one{1};
    const std::vector<double> other{2};
    const std::vector<double> none;
    const std::vector<double> flat{3, 3};
    EXPECT_FALSE(cohens_d(one, other));
    EXPECT_FALSE(cohens_d(none, flat));
    EXPECT_FALSE(cohens_d(flat, flat));
}

}  // namespace
}  // namespace chimera::core
