// Duration distributions in scenario files.
#include "sim/config/distribution_reader.h"

#include "sim/config/units.h"

namespace sim::config {

namespace {
// No single draw needs more than this, and with it `now + draw` cannot overflow int64 ns.
constexpr Duration kLongestDraw = hours(24 * 365);

Duration bounded(const Node& node, bool allow_zero) {
  const Duration value = allow_zero ? node.duration_allow_zero() : node.duration();
  if (value > kLongestDraw)
    node.fail(std::string(allow_zero ? "a duration" : "a positive duration") + " of at most " + format_duration(kLongestDraw),
              "\"" + format_duration(value) + "\"");
  return value;
}
}  // namespace

DurationDistribution read_duration_distribution(const Node& node) {
  ObjectReader object = node.object();
  const std::string shape =
      object.required("dist").one_of({"constant", "uniform", "exponential", "lognormal"});
  DurationDistribution result;
  if (shape == "constant") {
    result = DurationDistribution::constant(bounded(object.required("value"), true));
  } else if (shape == "uniform") {
    const Duration low = bounded(object.required("min"), true);
    const Node high_node = object.required("max");
    const Duration high = bounded(high_node, true);
    if (high < low) high_node.fail("a duration at least \"min\" (" + format_duration(low) + ")", "\"" + format_duration(high) + "\"");
    result = DurationDistribution::uniform(low, high);
  } else if (shape == "exponential") {
    const Duration mean = bounded(object.required("mean"), false);
    Duration offset;
    if (auto n = object.optional("offset")) offset = bounded(*n, true);
    result = DurationDistribution::exponential(offset, mean);
  } else {
    const Duration median = bounded(object.required("median"), false);
    const double sigma = object.required("sigma").number_in(0.0, 5.0);
    result = DurationDistribution::lognormal(median, sigma);
  }
  if (auto n = object.optional("floor")) result.floor = bounded(*n, true);
  if (auto n = object.optional("ceiling")) {
    result.ceiling = bounded(*n, false);
    if (result.ceiling < result.floor)
      n->fail("a ceiling at least the floor (" + format_duration(result.floor) + ")",
              "\"" + format_duration(result.ceiling) + "\"");
  }
  object.finish();
  return result;
}

nlohmann::json write_duration_distribution(const DurationDistribution& d) {
  nlohmann::json out;
  switch (d.shape) {
    case DurationDistribution::Shape::constant:
      out = {{"dist", "constant"}, {"value", format_duration(d.value)}};
      break;
    case DurationDistribution::Shape::uniform:
      out = {{"dist", "uniform"}, {"min", format_duration(d.value)}, {"max", format_duration(d.high)}};
      break;
    case DurationDistribution::Shape::exponential:
      out = {{"dist", "exponential"}, {"mean", format_duration(d.mean)}, {"offset", format_duration(d.value)}};
      break;
    case DurationDistribution::Shape::lognormal:
      out = {{"dist", "lognormal"}, {"median", format_duration(d.value)}, {"sigma", d.sigma}};
      break;
  }
  if (d.floor > Duration::zero()) out["floor"] = format_duration(d.floor);
  if (d.ceiling != Duration::max()) out["ceiling"] = format_duration(d.ceiling);
  return out;
}

}  // namespace sim::config
