// Tests of sim/distribution.h and its scenario form (sim/config/distribution_reader.h).
#include "sim/config/distribution_reader.h"
#include "sim/distribution.h"

#include <catch2/catch.hpp>

using namespace sim;

namespace {
DurationDistribution read(const std::string& text) {
  static nlohmann::json doc;  // Nodes point into the document, which must outlive them
  doc = nlohmann::json::parse(text);
  return config::read_duration_distribution(config::root(doc, "d.json"));
}
double mean_ms(const DurationDistribution& d, int draws = 100000) {
  Rng rng(2);
  double sum = 0;
  for (int i = 0; i < draws; ++i) sum += static_cast<double>(d.sample(rng).nanos());
  return sum / draws / 1e6;
}
}  // namespace

TEST_CASE("DurationDistribution: each shape has the mean it should", "[distribution]") {
  CHECK(mean_ms(read(R"({"dist": "constant", "value": "3ms"})")) == 3.0);
  CHECK(mean_ms(read(R"({"dist": "uniform", "min": "1ms", "max": "3ms"})")) == Approx(2.0).epsilon(0.01));
  CHECK(mean_ms(read(R"({"dist": "exponential", "mean": "2ms", "offset": "1ms"})")) == Approx(3.0).epsilon(0.02));
  // lognormal: mean = median * exp(sigma^2 / 2)
  CHECK(mean_ms(read(R"({"dist": "lognormal", "median": "1ms", "sigma": 0.5})")) == Approx(1.1331).epsilon(0.02));
}

TEST_CASE("DurationDistribution: floor and ceiling bound every draw", "[distribution]") {
  const DurationDistribution d = read(R"({"dist": "lognormal", "median": "1ms", "sigma": 2, "floor": "500us", "ceiling": "4ms"})");
  Rng rng(3);
  for (int i = 0; i < 10000; ++i) {
    const Duration x = d.sample(rng);
    REQUIRE(x >= micros(500));
    REQUIRE(x <= millis(4));
  }
}

TEST_CASE("DurationDistribution: the written form reads back as the same distribution", "[distribution]") {
  for (const char* text : {R"({"dist": "constant", "value": "3ms"})", R"({"dist": "uniform", "min": "1ms", "max": "3ms"})",
                           R"({"dist": "exponential", "mean": "2ms", "offset": "1ms"})",
                           R"({"dist": "lognormal", "median": "1ms", "sigma": 0.5, "floor": "1us", "ceiling": "9ms"})"}) {
    const DurationDistribution d = read(text);
    const DurationDistribution again = read(config::write_duration_distribution(d).dump());
    Rng a(5), b(5);
    for (int i = 0; i < 100; ++i) REQUIRE(d.sample(a) == again.sample(b));
  }
}

TEST_CASE("DurationDistribution: bad forms are rejected at their path", "[distribution]") {
  CHECK_THROWS_WITH(read(R"({"dist": "gamma"})"), Catch::Contains("$.dist: expected one of"));
  CHECK_THROWS_WITH(read(R"({"dist": "uniform", "min": "3ms", "max": "1ms"})"), Catch::Contains("$.max"));
  CHECK_THROWS_WITH(read(R"({"dist": "constant", "value": "3ms", "shape": 2})"), Catch::Contains("unknown key \"shape\""));
  CHECK_THROWS_WITH(read(R"({"dist": "lognormal", "median": "1ms", "sigma": -1})"), Catch::Contains("$.sigma"));
}
